// The method table for the original design's ToyStore (proto/toystore_original.proto,
// no package: /ToyStore/Query and /ToyStore/Buy), served beside toystore.v1.ToyStore
// through the same pool, CallTask, StoreService, locks and store, and recorded
// as the same operations (query, buy). Checked against the generated handlers
// exactly as GRPC_METHODS is.

import type { ItemName__Output } from "../../generated/original/ItemName.js";
import type { ToyStoreHandlers as OriginalToyStoreHandlers } from "../../generated/original/ToyStore.js";
import { type MethodTable, method } from "./methods.js";
import { encodeItem, encodeOriginalBuy } from "./original-messages.js";

/** Every method of the original ToyStore (the type requires each one), in the proto's order. */
export const ORIGINAL_GRPC_METHODS: MethodTable<OriginalToyStoreHandlers> = Object.freeze({
  Query: method("query", (message: ItemName__Output) => ({ op: "query", name: message.name }), encodeItem),
  Buy: method(
    "buy",
    // The original Buy has no quantity and no idempotency key: one unit per call.
    (message: ItemName__Output) => ({ op: "buy", name: message.name, quantity: 1 }),
    encodeOriginalBuy,
  ),
});
