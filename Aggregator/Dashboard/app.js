// The operator dashboard: reads /v1/events (server-sent events, one frame every ~2 s) and draws the neighborhood.
// Hand-written, no library: the DOM is built with textContent (never innerHTML), the charts are SVG polylines.
"use strict";

const HISTORY_LIMIT = 300;
const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#4aa3df", "#e6b422", "#3fb950", "#d9534f", "#b180d7", "#f0883e", "#56d4dd", "#db61a2"];
const state = { points: [], frames: 0, colors: new Map() };

// ---- small helpers ----

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  return node;
}

function num(value, digits) {
  return value === undefined || value === null ? "—" : Number(value).toFixed(digits);
}

function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

function colorOf(id) {
  if (!state.colors.has(id)) state.colors.set(id, PALETTE[state.colors.size % PALETTE.length]);
  return state.colors.get(id);
}

function level(fraction) {
  return fraction >= 1 ? "bad" : fraction >= 0.9 ? "warn" : "ok";
}

// kind: "ok"/"warn"/"bad" by default from the fraction, or "info" for a quantity with no limit (an EV's SoC).
// Widths and colours are set through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
function bar(fraction, title, kind) {
  const fill = el("span", { class: "fill-" + (kind || level(fraction)) });
  fill.style.width = `${(Math.max(0, Math.min(1, fraction)) * 100).toFixed(1)}%`;
  return el("span", { class: "bar", title }, fill);
}

function table(headers, rows) {
  return el("table", null,
    el("thead", null, el("tr", null, ...headers.map((h) => el("th", null, h)))),
    el("tbody", null, ...rows.map((cells) => el("tr", null, ...cells.map((c) => el("td", null, c))))));
}

// ---- charts ----

// series: [{ name, color, values: [[timeMs, value|null]], dashed }]; options: { band: [low, high], min, max }.
function lineChart(node, series, options) {
  const width = 600, height = 180, left = 44, right = 8, top = 8, bottom = 20;
  node.replaceChildren();
  const times = series.flatMap((s) => s.values.map((v) => v[0]));
  const values = series.flatMap((s) => s.values.map((v) => v[1]).filter((v) => v !== null && v !== undefined));
  if (options.band) values.push(...options.band);
  if (times.length === 0 || values.length === 0) {
    node.append(Object.assign(svg("text", { x: left, y: height / 2 }), { textContent: options.empty || "waiting for data…" }));
    return;
  }
  let low = Math.min(...values, options.min ?? Infinity), high = Math.max(...values, options.max ?? -Infinity);
  if (high - low < 1e-6) { high += 1; low -= 1; }
  const pad = (high - low) * 0.08;
  low -= pad; high += pad;
  const t0 = Math.min(...times), t1 = Math.max(Math.max(...times), t0 + 1000);
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const y = (v) => top + (1 - (v - low) / (high - low)) * (height - top - bottom);
  if (options.band) {
    node.append(svg("rect", { class: "band", x: left, width: width - left - right, y: y(options.band[1]), height: y(options.band[0]) - y(options.band[1]) }));
  }
  for (let i = 0; i <= 4; i++) {
    const v = low + ((high - low) * i) / 4;
    node.append(svg("line", { class: "grid", x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    node.append(Object.assign(svg("text", { x: 2, y: y(v) + 3 }), { textContent: v.toFixed(Math.abs(high - low) < 5 ? 2 : 0) }));
  }
  node.append(Object.assign(svg("text", { x: left, y: height - 4 }), { textContent: clock(t0) }));
  node.append(Object.assign(svg("text", { x: width - right - 48, y: height - 4 }), { textContent: clock(t1) }));
  // The legend: one entry per named series (a limit or a second line of the same transformer is not repeated).
  let legendX = left + 4;
  for (const s of series.filter((s) => s.legend)) {
    const label = Object.assign(svg("text", { x: legendX, y: top + 10, fill: s.color }), { textContent: s.name });
    node.append(label);
    legendX += 8 + 6.5 * s.name.length;
  }
  for (const s of series) {
    // A gap (null) breaks the line rather than drawing through it.
    let run = [];
    const flush = () => {
      if (run.length > 0) {
        node.append(svg("polyline", { class: s.dashed ? "limit" : "series", stroke: s.color, points: run.join(" ") }));
      }
      run = [];
    };
    for (const [t, v] of s.values) {
      if (v === null || v === undefined) flush(); else run.push(`${x(t).toFixed(1)},${y(v).toFixed(1)}`);
    }
    flush();
  }
}

function transformerIds() {
  const ids = new Set();
  for (const point of state.points) for (const t of point.transformers) ids.add(t.id);
  return [...ids].sort();
}

function seriesOf(id, pick) {
  return state.points.map((point) => {
    const sample = point.transformers.find((t) => t.id === id);
    return [point.time_ms, sample ? pick(sample) ?? null : null];
  });
}

function drawCharts(band) {
  const ids = transformerIds();
  lineChart(document.getElementById("chart-hotspot"), ids.flatMap((id) => [
    { name: id, legend: true, color: colorOf(id), values: seriesOf(id, (s) => s.hot_spot_c) },
    { name: id + " limit", color: colorOf(id), dashed: true, values: seriesOf(id, (s) => s.hot_spot_limit_c) },
  ]), {});
  lineChart(document.getElementById("chart-ev"), ids.map((id) => ({ name: id, legend: true, color: colorOf(id), values: seriesOf(id, (s) => s.ev_kw) })), { min: 0 });
  lineChart(document.getElementById("chart-voltage"), ids.flatMap((id) => [
    { name: id, legend: true, color: colorOf(id), values: seriesOf(id, (s) => s.voltage_min_per_unit) },
    { name: id + " max", color: colorOf(id), values: seriesOf(id, (s) => s.voltage_max_per_unit) },
  ]), { band: band ? [band.low_per_unit, band.high_per_unit] : null });
  lineChart(document.getElementById("chart-vuf"), ids.map((id) => ({ name: id, legend: true, color: colorOf(id), values: seriesOf(id, (s) => s.vuf_percent) })),
    { band: [0, 2], min: 0 });
  const goal = (pick) => state.points.map((p) => [p.time_ms, p.goal ? pick(p.goal) ?? null : null]);
  lineChart(document.getElementById("chart-goal"), [
    { name: "target", legend: true, color: "#8a98a8", dashed: true, values: goal((g) => g.target_kw) },
    { name: "planned", legend: true, color: "#4aa3df", values: goal((g) => g.planned_kw) },
    { name: "achieved", legend: true, color: "#3fb950", values: goal((g) => g.achieved_kw) },
  ], { empty: "no goal in force" });
}

// ---- the frame ----

function drawTotals(frame) {
  const t = frame.totals;
  const box = (label, value, id) => el("div", { id }, label, el("b", null, value));
  document.getElementById("totals").replaceChildren(
    box("transformers", `${t.transformers}${t.stale ? ` (${t.stale} stale)` : ""}`, "total-transformers"),
    box("import", `${num(t.import_kw, 1)} kW`, "total-import"),
    box("EV fleet", `${num(t.ev_kw, 1)} kW`, "total-ev"),
    box("EVs plugged in", `${t.evs_plugged}`, "total-evs"),
  );
}

function phaseTable(transformer, band) {
  return table(["phase", "P kW", "Q kvar", "V", "pu", "I A", "loading"], transformer.phases.map((p) => {
    const pu = p.voltage_per_unit;
    const inBand = pu === undefined || (pu >= band.low_per_unit && pu <= band.high_per_unit);
    return [
      el("span", { class: "phase-" + p.phase }, p.phase), num(p.active_power_kw, 1), num(p.reactive_power_kvar, 1), num(p.voltage_v, 1),
      el("span", { class: inBand ? "ok" : "bad" }, num(pu, 3)), num(p.current_a, 1),
      p.loading_percent === undefined ? "—" : el("span", null, bar(p.loading_percent / 100, "loading"), ` ${num(p.loading_percent, 0)} %`),
    ];
  }));
}

function thermalLine(thermal) {
  if (!thermal) return el("p", { class: "meta" }, "no temperatures reported");
  const fraction = thermal.hot_spot_c / thermal.hot_spot_limit_c;
  return el("div", { class: "thermal" },
    el("span", { class: level(fraction) }, `hot-spot ${num(thermal.hot_spot_c, 1)} °C`),
    ` / limit ${num(thermal.hot_spot_limit_c, 0)} °C${thermal.limit_assumed ? " (assumed)" : ""}, headroom ${num(thermal.headroom_k, 1)} K;`,
    ` top-oil ${num(thermal.top_oil_c, 1)} °C, ambient ${num(thermal.ambient_c, 1)} °C`,
    " ", bar(fraction, "hot-spot / limit"));
}

function evTable(evs) {
  if (evs.length === 0) return el("p", { class: "meta" }, "no charger");
  return table(["charger", "phase", "kW", "SoC", "needs kWh", "leaves"], evs.map((ev) => [
    ev.charger + (ev.online ? "" : " (offline)"), ev.connection ?? "—", num(ev.power_kw, 1),
    ev.soc_percent === undefined ? "no EV" : el("span", null, bar(ev.soc_percent / 100, "state of charge", "info"), ` ${num(ev.soc_percent, 0)} %`),
    num(ev.energy_needed_kwh, 1), ev.departure_ms ? clock(ev.departure_ms) : "—",
  ]));
}

function envelopeLine(envelope) {
  if (!envelope) return el("p", { class: "meta" }, "no envelope: the agent runs on its own policy");
  return el("div", null, el("span", { class: "meta" }, `envelope #${envelope.sequence}, valid until ${clock(envelope.valid_until_ms)}, Q bias ${num(envelope.reactive_bias_kvar, 1)} kvar`),
    table(["phase", "min kW", "max kW"], envelope.phases.map((b) => [el("span", { class: "phase-" + b.phase }, b.phase), num(b.min_kw, 1), num(b.max_kw, 1)])));
}

function title(id) {
  const heading = el("h3", null, id);
  heading.style.color = colorOf(id);
  return heading;
}

function drawTransformers(frame) {
  const box = document.getElementById("transformers");
  if (frame.transformers.length === 0) {
    box.replaceChildren(el("p", { class: "empty" }, "No transformer has reported yet."));
    return;
  }
  box.replaceChildren(...frame.transformers.map((t) => el("article", { class: "card" + (t.stale ? " stale" : ""), id: "tx-" + t.id, "data-import-kw": t.import_kw },
    title(t.id),
    el("p", { class: "meta" },
      `${t.source === "state" ? "state report" : "telemetry"} ${num(t.age_s, 0)} s ago`,
      t.rated_kva ? `, ${num(t.rated_kva, 0)} kVA, loading ${num(t.loading_percent, 0)} %` : "",
      `, import ${num(t.import_kw, 1)} kW, neutral ${num(t.neutral_a, 1)} A, `,
      el("span", { class: t.vuf_percent > 2 ? "bad" : "ok" }, `VUF ${num(t.vuf_percent, 2)} %`), ", ",
      el("span", { class: t.voltage_in_band ? "ok" : "bad" }, t.voltage_in_band ? "voltage in band" : "voltage out of band")),
    phaseTable(t, frame.voltage_band), thermalLine(t.thermal), evTable(t.evs), envelopeLine(t.envelope))));
}

function drawPlan(plan) {
  const box = document.getElementById("plan");
  if (!plan) {
    box.replaceChildren(el("p", { class: "empty" }, "No plan: no planner is connected, or it has no goal in force."));
    return;
  }
  box.replaceChildren(
    el("p", { class: "meta" }, `pass at ${clock(plan.time_ms)}`),
    table(["goal", "kind", "target kW", "planned kW", "achieved kW", "shortfall kW", "met"], plan.goals.map((g) => [
      g.id, g.kind, num(g.target_kw, 1), num(g.planned_kw, 1), num(g.achieved_kw, 1), num(g.shortfall_kw, 1),
      g.met === undefined ? "—" : el("span", { class: g.met ? "ok" : "bad" }, g.met ? "yes" : `no${g.reason ? " (" + g.reason + ")" : ""}`),
    ])),
    table(["transformer", "planned kW", "achieved kW", "per phase planned / achieved"], plan.transformers.map((t) => [
      t.id, num(t.planned_kw, 1), num(t.achieved_kw, 1),
      t.phases.map((p) => `${p.phase} ${num(p.planned_kw, 1)} / ${num(p.achieved_kw, 1)}`).join(", ") || "—",
    ])));
}

function drawRollouts(rollouts) {
  const box = document.getElementById("rollouts");
  if (rollouts.length === 0) {
    box.replaceChildren(el("p", { class: "empty" }, "No rollout."));
    return;
  }
  box.replaceChildren(table(["rollout", "version", "state", "stage", "pending", "applied", "rejected", "reverted", "unhealthy", "updated"],
    rollouts.map((r) => [
      `#${r.id}`, r.version,
      el("span", { class: r.state === "halted" || r.state === "aborted" ? "bad" : r.state === "done" ? "ok" : "warn", title: r.halt_reasons.join("\n") }, r.state),
      r.stage === 0 ? "canary" : `wave ${r.stage} of ${r.stages - 1}`, r.pending, r.applied, r.rejected, r.reverted, r.unhealthy, clock(r.updated_at_ms),
    ])));
}

function drawFrame(frame) {
  state.frames += 1;
  const time = document.getElementById("frame-time");
  time.textContent = clock(frame.time_ms);
  time.dataset.timeMs = frame.time_ms;
  const count = document.getElementById("frame-count");
  count.textContent = `${state.frames} frames`;
  count.dataset.count = state.frames;
  drawTotals(frame);
  drawTransformers(frame);
  drawPlan(frame.plan);
  drawRollouts(frame.rollouts);
  drawCharts(frame.voltage_band);
  const band = frame.voltage_band;
  document.getElementById("band").textContent =
    `Voltage band: ${band.source}. VUF from the phase magnitudes at nominal angles where the agent does not report its own.`;
}

function addPoint(point) {
  if (state.points.length > 0 && state.points[state.points.length - 1].time_ms >= point.time_ms) return;
  state.points.push(point);
  if (state.points.length > HISTORY_LIMIT) state.points.splice(0, state.points.length - HISTORY_LIMIT);
}

// ---- the stream ----

function setLink(up, text) {
  const link = document.getElementById("link");
  link.className = "link " + (up ? "up" : "down");
  link.dataset.state = up ? "live" : "down";
  link.textContent = text;
}

function connect() {
  const source = new EventSource("/v1/events");
  source.onopen = () => setLink(true, "live");
  // The stream ends every few tens of seconds by design; EventSource reconnects by itself after `retry`.
  source.onerror = () => setLink(false, source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…");
  source.addEventListener("history", (event) => {
    state.points = JSON.parse(event.data);
  });
  source.addEventListener("frame", (event) => {
    const frame = JSON.parse(event.data);
    addPoint(frame.point);
    drawFrame(frame);
  });
}

document.addEventListener("DOMContentLoaded", connect);
