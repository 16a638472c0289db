// The storefront: the catalog from GET /api/toys, Buy through
// POST /api/toys/{name}/buy (with {"quantity": n} when more than one is
// asked for), live stock from the /api/events stream (a snapshot of every
// toy's stock, then each sale or restock through any transport or server),
// and the server's own stats polled every 2 s.
// No framework: each toy is one <li data-toy>, updated in place.

const $ = (id) => document.getElementById(id);
const list = $("toys");
const status = $("status");
const live = $("live");

/** name -> { stock: Element, button: HTMLButtonElement, quantity: HTMLInputElement, soldOut: Element, pending: boolean, changed: number } */
const toys = new Map();
/** Orders the updates: a catalog snapshot never overwrites a newer buy or event. */
let clock = 0;
/**
 * Whether the event stream is open and has sent its snapshot: from then on
 * it alone sets the stock (it shows this page's own buys too, in commit
 * order), so a buy's answer, which may arrive after a newer sale's event, is
 * not applied over it.
 */
let streaming = false;

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function addToy({ name, price, stock }) {
  const stockEl = el("span", { className: "stock" });
  const soldOut = el("span", { className: "sold-out", textContent: "Sold out" });
  const button = el("button", { type: "button", textContent: `Buy ${name}` });
  button.addEventListener("click", () => buy(name));
  // After the button, so that Tab reaches each toy's Buy first.
  const quantity = el("input", { type: "number", className: "quantity", min: "1", value: "1" });
  quantity.setAttribute("aria-label", `How many ${name} to buy`);
  const item = el(
    "li",
    { className: "toy" },
    el("h3", { textContent: name }),
    el("p", { className: "price", textContent: price }),
    el("p", {}, stockEl, " in stock ", soldOut),
    el("div", { className: "buy" }, button, quantity),
  );
  item.dataset.toy = name;
  toys.set(name, { stock: stockEl, button, quantity, soldOut, pending: false, changed: 0 });
  list.append(item);
  setStock(name, stock);
}

function setStock(name, stock, changed = 0) {
  const toy = toys.get(name);
  if (toy === undefined) return;
  if (changed) toy.changed = changed;
  toy.stock.textContent = String(stock);
  toy.stock.dataset.stock = String(stock);
  toy.soldOut.hidden = stock > 0;
  toy.button.disabled = stock <= 0;
  toy.quantity.disabled = stock <= 0;
}

/** Renders the catalog the first time, then only refreshes stock that changed nowhere else since the fetch began. */
async function loadCatalog() {
  const started = ++clock;
  try {
    const response = await fetch("/api/toys", { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { toys: catalog } = await response.json();
    for (const toy of catalog) {
      if (!toys.has(toy.name)) addToy(toy);
      else if (toys.get(toy.name).changed < started) setStock(toy.name, toy.stock);
    }
    $("catalog-note").hidden = true;
  } catch (error) {
    if (toys.size === 0) $("catalog-note").textContent = `The catalog is unavailable (${error.message}).`;
  }
}

async function buy(name) {
  const toy = toys.get(name);
  // One buy at a time per toy; the button stays enabled so that it keeps the keyboard focus.
  if (toy.pending) return;
  toy.pending = true;
  // The server checks the quantity (a bad one is a 400 that says why); no body is one.
  const quantity = toy.quantity.value === "" ? 1 : Number(toy.quantity.value);
  const what = quantity === 1 ? name : `${quantity} × ${name}`;
  status.textContent = `Buying ${what}…`;
  try {
    const init = { method: "POST" };
    if (quantity !== 1) {
      init.headers = { "content-type": "application/json" };
      init.body = JSON.stringify({ quantity });
    }
    const response = await fetch(`/api/toys/${encodeURIComponent(name)}/buy`, init);
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      const order = body.orderId === undefined ? "" : ` (order ${body.orderId})`;
      const left = Number.isInteger(body.stockLeft) ? `, ${body.stockLeft} left` : "";
      if (left && !streaming) setStock(name, body.stockLeft, ++clock);
      status.textContent = `Bought ${what}${order}${left}`;
    } else if (response.status === 409 && quantity !== 1) {
      // Fewer left than asked: nothing was sold, and the catalog says how many there are.
      status.textContent = `Fewer than ${quantity} ${name} left; nothing was bought`;
      void loadCatalog();
    } else if (response.status === 409) {
      if (!streaming) setStock(name, 0, ++clock);
      status.textContent = `${name} is sold out`;
    } else if (response.status === 404) {
      setStock(name, 0, ++clock);
      status.textContent = `${name} is no longer sold here`;
    } else if (response.status === 503) {
      status.textContent = `The store is busy; ${name} was not bought, try again`;
    } else {
      status.textContent = `Could not buy ${name}: ${body.detail ?? body.title ?? `HTTP ${response.status}`}`;
    }
  } catch {
    status.textContent = `Could not reach the store; ${name} was not bought`;
  } finally {
    toy.pending = false;
  }
}

function liveState(state, text) {
  live.dataset.live = state;
  live.textContent = `Live stock: ${text}`;
}

/**
 * Stock events from every transport and server. Each (re)connect starts with
 * a snapshot of every toy's stock, and the server sends another whenever it
 * may have missed changes, so none is missed silently: the page is live once
 * the snapshot is in.
 */
function subscribe() {
  const events = new EventSource("/api/events");
  events.addEventListener("snapshot", (event) => {
    try {
      const { stock } = JSON.parse(event.data);
      const changed = ++clock;
      let unknown = false;
      for (const [name, left] of Object.entries(stock)) {
        if (toys.has(name)) setStock(name, left, changed);
        else unknown = true;
      }
      // A toy this page has not drawn (its first catalog load failed): draw them now.
      if (unknown) void loadCatalog();
      streaming = true;
      liveState("open", "on");
    } catch {
      // Not a snapshot we understand: ignored.
    }
  });
  events.addEventListener("stock", (event) => {
    try {
      const { name, stock } = JSON.parse(event.data);
      setStock(name, stock, ++clock);
    } catch {
      // Not a stock event we understand: ignored.
    }
  });
  events.addEventListener("error", () => {
    streaming = false;
    if (events.readyState !== EventSource.CLOSED) {
      liveState("connecting", "reconnecting…");
    } else {
      // Refused (e.g. 503, too many streams): EventSource gives up, so try again later.
      liveState("connecting", "unavailable, retrying in 5 s");
      setTimeout(subscribe, 5000);
    }
  });
}

const fmt = (value, digits) => (typeof value === "number" ? value.toFixed(digits) : "–");

async function pollStats() {
  const note = $("stats-note");
  try {
    const response = await fetch("/api/stats", { signal: AbortSignal.timeout(1900) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { transports } = await response.json();
    const rows = Object.entries(transports).map(([name, t]) =>
      el(
        "tr",
        {},
        el("th", { scope: "row", textContent: name }),
        el("td", { textContent: fmt(t.requestsPerSecond, 1) }),
        el("td", { textContent: fmt(t.busy, 0) }),
        el("td", { textContent: fmt(t.queued, 0) }),
        el("td", { textContent: fmt(t.p99Ms, 2) }),
      ),
    );
    $("stats").replaceChildren(...rows);
    note.textContent = rows.length > 0 ? "" : "no figures yet";
  } catch {
    $("stats").replaceChildren();
    note.textContent = "stats unavailable";
  }
  setTimeout(pollStats, 2000);
}

await loadCatalog();
subscribe();
void pollStats();
