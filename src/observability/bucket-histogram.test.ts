// BucketHistogram: the family text it writes (line for line what prom-client's
// registry writes for a histogram), and the quantile estimate of stats().

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BucketHistogram, estimateQuantile } from "./bucket-histogram.js";

describe("BucketHistogram", () => {
  it("writes HELP, TYPE, then each series' cumulative buckets, +Inf, sum and count", () => {
    const histogram = new BucketHistogram({
      name: "demo_seconds",
      help: "A demo, with a back\\slash\nand a newline",
      buckets: [0.001, 0.01, 0.1],
      observedPerUnit: 1000,
    });
    const a = histogram.child({ transport: "socket", op: "query" });
    const b = histogram.child({ transport: "grpc", op: "list" });
    a.observe(0.5); // ms: in (0, 1 ms]
    a.observe(1); // on the bound: in (0, 1 ms]
    a.observe(50); // in (10 ms, 100 ms]
    a.observe(250); // above the last bound
    b.observe(0);

    assert.equal(
      histogram.text(),
      [
        "# HELP demo_seconds A demo, with a back\\\\slash\\nand a newline",
        "# TYPE demo_seconds histogram",
        'demo_seconds_bucket{transport="socket",op="query",le="0.001"} 2',
        'demo_seconds_bucket{transport="socket",op="query",le="0.01"} 2',
        'demo_seconds_bucket{transport="socket",op="query",le="0.1"} 3',
        'demo_seconds_bucket{transport="socket",op="query",le="+Inf"} 4',
        'demo_seconds_sum{transport="socket",op="query"} 0.3015',
        'demo_seconds_count{transport="socket",op="query"} 4',
        'demo_seconds_bucket{transport="grpc",op="list",le="0.001"} 1',
        'demo_seconds_bucket{transport="grpc",op="list",le="0.01"} 1',
        'demo_seconds_bucket{transport="grpc",op="list",le="0.1"} 1',
        'demo_seconds_bucket{transport="grpc",op="list",le="+Inf"} 1',
        'demo_seconds_sum{transport="grpc",op="list"} 0',
        'demo_seconds_count{transport="grpc",op="list"} 1',
      ].join("\n"),
    );
  });

  it("writes an unlabelled series without braces, and escapes label values", () => {
    const histogram = new BucketHistogram({ name: "demo_size", help: "Sizes", buckets: [1, 2] });
    histogram.child().observe(2);
    histogram.child({ store: 'a"b\\c\nd' }).observe(Number.POSITIVE_INFINITY);
    assert.equal(
      histogram.text(),
      [
        "# HELP demo_size Sizes",
        "# TYPE demo_size histogram",
        'demo_size_bucket{le="1"} 0',
        'demo_size_bucket{le="2"} 1',
        'demo_size_bucket{le="+Inf"} 1',
        "demo_size_sum 2",
        "demo_size_count 1",
        'demo_size_bucket{store="a\\"b\\\\c\\nd",le="1"} 0',
        'demo_size_bucket{store="a\\"b\\\\c\\nd",le="2"} 0',
        'demo_size_bucket{store="a\\"b\\\\c\\nd",le="+Inf"} 1',
        'demo_size_sum{store="a\\"b\\\\c\\nd"} +Inf',
        'demo_size_count{store="a\\"b\\\\c\\nd"} 1',
      ].join("\n"),
    );
  });

  it("writes only HELP and TYPE before any series", () => {
    const histogram = new BucketHistogram({ name: "demo_empty", help: "Nothing yet", buckets: [1] });
    assert.equal(histogram.text(), "# HELP demo_empty Nothing yet\n# TYPE demo_empty histogram");
  });

  it("rejects a bad name, unordered buckets and a reserved or bad label name", () => {
    assert.throws(() => new BucketHistogram({ name: "bad-name", help: "h", buckets: [1] }), /bad-name/);
    assert.throws(() => new BucketHistogram({ name: "demo", help: "h", buckets: [2, 1] }), /increasing/);
    assert.throws(
      () => new BucketHistogram({ name: "demo", help: "h", buckets: [1, Number.POSITIVE_INFINITY] }),
      /finite/,
    );
    const histogram = new BucketHistogram({ name: "demo", help: "h", buckets: [1] });
    assert.throws(() => histogram.child({ le: "1" }), /le/);
    assert.throws(() => histogram.child({ "op-name": "x" }), /op-name/);
  });
});

describe("estimateQuantile", () => {
  const histogram = new BucketHistogram({ name: "demo_ms", help: "h", buckets: [1, 10, 100] });

  it("is null before any observation, and with no series", () => {
    assert.equal(estimateQuantile([histogram.child()], 0.99), null);
    assert.equal(estimateQuantile([], 0.99), null);
  });

  it("interpolates within the bucket the rank falls in, over every series given", () => {
    const fast = histogram.child();
    const slow = histogram.child();
    for (let i = 0; i < 50; i++) fast.observe(0.5);
    for (let i = 0; i < 50; i++) slow.observe(50);
    // Rank 99 of 100: the 49th of the 50 in (10, 100].
    assert.equal(estimateQuantile([fast, slow], 0.99), 10 + (90 * 49) / 50);
    // Rank 25: half-way through the 50 in (0, 1].
    assert.equal(estimateQuantile([fast, slow], 0.25), 0.5);
  });

  it("says the last bound when the rank falls past it", () => {
    const series = histogram.child();
    series.observe(5000);
    assert.equal(estimateQuantile([series], 0.99), 100);
  });
});
