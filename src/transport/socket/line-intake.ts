// The line protocol's input side of one connection: the shared backlog and
// per-turn budget (ChunkIntake) with a LineDecoder as the framing, which
// holds an unfinished line between reads.

import { type DecodedLine, LineDecoder } from "../../protocol/line-decoder.js";
import { ChunkIntake } from "./chunk-intake.js";

/** One connection's decoder and backlog; each decoded line goes to `accept`, in order. */
export class LineIntake extends ChunkIntake<DecodedLine> {
  readonly #decoder: LineDecoder;
  readonly #accept: (line: DecodedLine) => void;

  constructor(maxLineBytes: number, accept: (line: DecodedLine) => void) {
    super();
    this.#decoder = new LineDecoder(maxLineBytes);
    this.#accept = accept;
  }

  /** Bytes of the unfinished line. */
  get pendingBytes(): number {
    return this.#decoder.pendingBytes;
  }

  protected frame(chunk: Buffer, start: number, out: DecodedLine[], max: number): number {
    return this.#decoder.pushLines(chunk, start, out, max);
  }

  protected deliver(lines: readonly DecodedLine[]): void {
    for (let i = 0; i < lines.length; i++) this.#accept(lines[i]!);
  }
}
