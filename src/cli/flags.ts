// The CLI's side of the options layer (src/options/schema.ts): commander
// flags made from schemas, and the values typed on the command line turned
// back into options. Commander only collects text; each field parses and
// checks its own, so every bad value gets the same message.

import { type Command, Option } from "commander";
import { type Field, rejectValue, resolveOptions, type Schema } from "../options/schema.js";
import { UsageError } from "./cli-failure.js";

/** Any component's schema, as the flag builder reads it. */
type AnySchema = Readonly<Record<string, Field<unknown>>>;

/** commander's attribute for a flag: "--socket-port" -> "socketPort", "--no-progress" -> "progress". */
function attribute(flag: string): string {
  return flag.replace(/^--(no-)?/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The help line: the field's help and, where it has one, its default. */
function helpText(field: Field<unknown>): string {
  return field.shown === undefined || field.shown === ""
    ? field.help
    : `${field.help} (default: ${field.shown})`;
}

/** Adds every field of the schemas as a flag; a flag shared by two schemas (--host) is added once. */
export function addFlags(command: Command, ...schemas: AnySchema[]): Command {
  const known = new Set(command.options.map((option) => option.long));
  for (const schema of schemas) {
    for (const field of Object.values(schema) as Field<unknown>[]) {
      if (known.has(field.flag)) continue;
      known.add(field.flag);
      const names = `${field.short === undefined ? "" : `${field.short}, `}${field.flag}`;
      const option = new Option(field.arg === undefined ? names : `${names} ${field.arg}`, helpText(field));
      command.addOption(field.hidden === true ? option.hideHelp() : option);
    }
  }
  return command;
}

/**
 * The options a schema's flags were given on the command line, parsed and
 * checked; flags left out stay undefined (the component fills in its
 * defaults). Throws a UsageError naming the flag and the value.
 */
export function readFlags<O>(schema: Schema<O>, given: Readonly<Record<string, unknown>>): Partial<O> {
  const out: Partial<O> = {};
  for (const key of Object.keys(schema) as (keyof O)[]) {
    const field = schema[key];
    const raw = given[attribute(field.flag)];
    if (raw === undefined) continue;
    if (typeof raw === "boolean") {
      // commander keeps "--no-x" as x = false (true when not given): the field means "no x".
      out[key] = (field.flag.startsWith("--no-") ? !raw : raw) as O[keyof O];
      continue;
    }
    const value = field.parse(String(raw));
    if (value === undefined) {
      try {
        rejectValue(field, String(raw));
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    out[key] = value;
  }
  return out;
}

/**
 * For the project's scripts (tools/): parses argv against one schema and
 * resolves it; a bad value prints one line naming the flag and exits 2.
 */
export function parseArgv<O>(command: Command, schema: Schema<O>, argv: readonly string[] = process.argv): O {
  addFlags(command, schema).parse([...argv]);
  try {
    return resolveOptions(schema, readFlags(schema, command.opts()));
  } catch (error) {
    command.error((error as Error).message, { exitCode: 2 });
  }
}
