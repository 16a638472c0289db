// Unit tests of the course API's place in the route table: its paths match
// its routes only, and every path of its family, routed or not, writes its
// errors in the course's shape.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COURSE_ROUTES, courseNotFound, isCoursePath, sendProblemFor } from "./course-routes.js";
import { sendCourseProblem, sendProblem } from "./reply.js";
import { findRoute } from "./routes.js";

describe("the course API's routes", () => {
  it("are in the one route table, each with its parameter still percent-encoded", () => {
    const product = findRoute("/products/Baby%20Yoda");
    assert.ok(product !== undefined && COURSE_ROUTES.includes(product.route));
    assert.equal(product.param, "Baby%20Yoda");
    assert.deepEqual(Object.keys(product.route.methods), ["GET"]);
    const place = findRoute("/orders");
    assert.ok(place !== undefined && COURSE_ROUTES.includes(place.route));
    assert.deepEqual(Object.keys(place.route.methods), ["POST"]);
    const order = findRoute("/orders/10");
    assert.ok(order !== undefined && COURSE_ROUTES.includes(order.route));
    assert.equal(order.param, "10");
  });

  it("leave to the course's 404 what no route has: an empty name, a path below a name, an order number too long", () => {
    for (const path of ["/products/", "/products/a/b", "/orders/", `/orders/${"1".repeat(65)}`, "/products"])
      assert.equal(findRoute(path), undefined, path);
    assert.equal(courseNotFound("/products/").detail, "product not found");
    assert.equal(courseNotFound("/orders/x/y").detail, "order not found");
    assert.equal(courseNotFound("/products").status, 404);
  });

  it("write errors in the course's shape on its paths, and RFC 9457 problems everywhere else", () => {
    for (const path of ["/products/Tux", "/products", "/orders", "/orders/1", "/orders/"])
      assert.equal(sendProblemFor(path), sendCourseProblem, path);
    for (const path of ["/api/toys/Tux", "/api/orders/1", "/", "/productsx", "/ordersx", "/healthz"])
      assert.equal(sendProblemFor(path), sendProblem, path);
    assert.ok(isCoursePath("/orders") && !isCoursePath("/api/products/x"));
  });
});
