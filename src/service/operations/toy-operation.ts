// What every operation on one toy named in its request shares (query, buy,
// restock): under per-toy locking it takes that toy's lock, and the name is
// checked first, by the one rule for names, before anything else it carries.

import type { StoreError } from "../../errors.js";
import { validateName } from "../validate-name.js";
import type { Operation } from "./operation.js";

/** What an operation declares of itself: its name, its lock, whether it spends the work, whether it writes. */
export type Declared<Req extends { readonly op: string }, Res extends { readonly kind: string }> = Pick<
  Operation<Req, Res>,
  "op" | "lock" | "work" | "writes"
>;

/** How a toy operation runs: everything an Operation has but its declaration, the toy it locks and the name check. */
export type ToyOperationRun<
  Req extends { readonly op: string },
  Res extends { readonly kind: string },
> = Omit<Operation<Req, Res>, keyof Declared<Req, Res> | "toyOf" | "validate"> & {
  /** Checks what the request carries besides its name (the name is valid by then); absent: nothing else. */
  readonly validateMore?: (request: Req) => StoreError | undefined;
};

/** An operation on the toy its request names: `declared` says what it is, `run` how it runs. */
export function toyOperation<
  Req extends { readonly op: string; readonly name: string },
  Res extends { readonly kind: string },
>(declared: Declared<Req, Res>, run: ToyOperationRun<Req, Res>): Operation<Req, Res> {
  const { validateMore, ...rest } = run;
  return {
    ...declared,
    toyOf: (request) => request.name,
    validate: (request, limits) =>
      validateName(request.name, limits.maxNameLength) ?? validateMore?.(request),
    ...rest,
  };
}
