// The staff dashboard. Every request carries Telegram's signed initData; the server decides what it shows.
// Nothing is stored in the browser. Every text from the server goes into the page as text, never as HTML.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const CHANNEL_COLOURS = {
    zoom: "#2d8cff", letter_sent: "#8e6bd8", letter_received: "#c06bd8", email: "#27a59a",
    phone: "#e0a21f", in_person: "#e0663a", other: "#8b9aa8",
  };
  const STATUS_COLOURS = { active: "#2e9d50", paused: "#c99a06", suspended: "#e0781f", terminated: "#d14343" };
  const COLUMNS = [
    ["place", "us_member"], ["partner", "partner"], ["country", "country"], ["status", "status"],
    ["last_contact", "last_contact"], ["recent", "recent"], ["next_checkin", "next_checkin"],
    ["committee", "committee"],
  ];

  const $ = (id) => document.getElementById(id);
  const state = { sort: "place", order: "asc", page: 1, perPage: 50, total: 0, detail: null, logPage: 1,
    auditPage: 1 };
  let me = null;
  let words = {};
  let initData = "";
  let requestNumber = 0;

  // --- launch parameters: Telegram passes them in the URL fragment; its script reads the same ones ---

  function launchParams() {
    const params = new URLSearchParams(location.hash.slice(1));
    const webApp = window.Telegram && window.Telegram.WebApp;
    return {
      initData: (webApp && webApp.initData) || params.get("tgWebAppData") || "",
      theme: parseTheme(params.get("tgWebAppThemeParams")),
    };
  }

  function parseTheme(raw) {
    try {
      return raw ? JSON.parse(raw) : null;
    } catch (error) {
      return null;
    }
  }

  function applyTheme(theme) {
    if (!theme) return;
    const root = document.documentElement;
    for (const [key, value] of Object.entries(theme)) {
      if (/^#[0-9a-f]{3,8}$/i.test(String(value))) {
        root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    }
    if (theme.bg_color) root.dataset.theme = isDark(theme.bg_color) ? "dark" : "light";
  }

  function isDark(hex) {
    const value = hex.replace("#", "");
    const full = value.length === 3 ? value.split("").map((c) => c + c).join("") : value.slice(0, 6);
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
    return 0.299 * r + 0.587 * g + 0.114 * b < 128;
  }

  // --- talking to the bot ---

  class Refused extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, params) {
    const query = params ? "?" + new URLSearchParams(params).toString() : "";
    const response = await fetch("api/" + path + query, {
      headers: { Authorization: "tma " + initData },
      cache: "no-store",
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Refused(response.status, body.message || words.error || "");
    return body;
  }

  function filterParams() {
    const params = {};
    const text = $("f-text").value.trim();
    if (text) params.q = text;
    if ($("f-country").value) params.country = $("f-country").value;
    if ($("f-status").value) params.status = $("f-status").value;
    if ($("f-from").value) params.from = $("f-from").value;
    if ($("f-to").value) params.to = $("f-to").value;
    if ($("f-risk").checked) params.at_risk = "1";
    return params;
  }

  // --- formatting in the reader's language ---

  function formatDate(iso) {
    if (!iso) return "";
    const [y, m, d] = iso.split("-").map(Number);
    return new Intl.DateTimeFormat(me.language, { dateStyle: "medium", timeZone: "UTC" })
      .format(new Date(Date.UTC(y, m - 1, d)));
  }

  function formatMonth(month, withYear) {
    const [y, m] = month.split("-").map(Number);
    const options = withYear ? { month: "short", year: "2-digit" } : { month: "short" };
    return new Intl.DateTimeFormat(me.language, { ...options, timeZone: "UTC" })
      .format(new Date(Date.UTC(y, m - 1, 1)));
  }

  function formatNumber(n) {
    return new Intl.NumberFormat(me.language).format(n);
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
    return node;
  }

  // --- the page's words ---

  function label() {
    document.documentElement.lang = me.language;
    document.title = words.title;
    $("title").textContent = words.title;
    $("scope").textContent = me.scope === "network" ? words.network : words.your_committees;
    $("f-text").placeholder = words.search;
    $("f-text").setAttribute("aria-label", words.search);
    $("l-from").textContent = words.contact_from;
    $("l-to").textContent = words.contact_to;
    $("l-risk").textContent = words.at_risk_only;
    $("f-reset").textContent = words.reset;
    $("h-trends").textContent = words.trends;
    $("h-contacts").textContent = words.contacts_per_month;
    $("h-statuses").textContent = words.status_over_time;
    $("h-ties").textContent = words.ties_per_country;
    $("h-table").textContent = words.partnerships;
    $("csv").textContent = words.download_csv;
    $("prev").textContent = words.previous;
    $("next").textContent = words.next;
    $("log-prev").textContent = words.previous;
    $("log-next").textContent = words.next;
    $("back").textContent = words.back;
    $("h-history").textContent = words.status_history;
    $("h-log").textContent = words.contact_log;
    $("h-committee").textContent = words.committee;
    $("h-audit").textContent = words.audit_log;
    $("audit-prev").textContent = words.previous;
    $("audit-next").textContent = words.next;
    const country = $("f-country");
    country.replaceChildren(new Option(words.any_country, ""));
    for (const c of me.countries) country.add(new Option(c.label + " (" + formatNumber(c.count) + ")", c.value));
    country.setAttribute("aria-label", words.country);
    const status = $("f-status");
    status.replaceChildren(new Option(words.any_status, ""));
    for (const [value, text] of Object.entries(me.statuses)) status.add(new Option(text, value));
    status.setAttribute("aria-label", words.status);
    const header = $("table-header");
    header.replaceChildren();
    for (const [key, word] of COLUMNS) {
      const th = el("th", words[word]);
      th.dataset.sort = key;
      th.tabIndex = 0;
      header.append(th);
    }
  }

  // --- the table ---

  async function loadTable() {
    const number = ++requestNumber;
    const params = { ...filterParams(), sort: state.sort, order: state.order, page: state.page,
      per_page: state.perPage };
    const body = await api("partnerships", params);
    if (number !== requestNumber) return; // a later request (the person kept typing) wins
    state.total = body.total;
    renderTable(body.rows);
  }

  function renderTable(rows) {
    for (const th of $("table-header").children) {
      th.setAttribute("aria-sort", th.dataset.sort === state.sort
        ? (state.order === "asc" ? "ascending" : "descending") : "none");
    }
    const body = $("table-body");
    body.replaceChildren();
    if (!rows.length) {
      const tr = el("tr");
      const td = el("td", words.no_rows);
      td.colSpan = COLUMNS.length;
      tr.append(td);
      body.append(tr);
    }
    for (const row of rows) body.append(tableRow(row));
    const pages = Math.max(1, Math.ceil(state.total / state.perPage));
    $("shown").textContent = fill(words.shown_of, { shown: formatNumber(rows.length),
      total: formatNumber(state.total) });
    $("page").textContent = fill(words.page_of, { page: formatNumber(state.page), pages: formatNumber(pages) });
    $("prev").disabled = state.page <= 1;
    $("next").disabled = state.page >= pages;
  }

  function cell(label, className) {
    const td = el("td", null, className);
    if (label) td.dataset.label = label;
    return td;
  }

  function tableRow(row) {
    const tr = el("tr");
    tr.dataset.id = row.id;
    const place = cell(null, "place");
    place.append(el("span", row.us_name), el("span", row.us_state, "sub"));
    const partner = cell(words.partner);
    partner.append(el("span", row.partner_name));
    if (row.partner_region && row.partner_region !== row.partner_name) {
      partner.append(el("span", row.partner_region, "sub"));
    }
    const country = cell(words.country);
    country.textContent = row.country_label;
    const status = cell(words.status);
    status.append(el("span", row.status_label, "badge " + row.status));
    if (row.at_risk) status.append(" ", el("span", words.at_risk, "badge risk"));
    if (row.status_since) status.append(el("span", fill(words.since, { date: formatDate(row.status_since) }), "sub"));
    if (row.status_note) {
      status.title = row.status_note;
      status.append(el("span", row.status_note, "sub note"));
    }
    const last = cell(words.last_contact);
    if (row.last_contact) {
      last.append(el("span", formatDate(row.last_contact)), el("span", row.last_channel_label, "sub"));
    } else {
      last.append(el("span", words.no_contact, "sub"));
    }
    const recent = cell(words.recent);
    recent.textContent = formatNumber(row.recent_contacts);
    const next = cell(words.next_checkin);
    if (row.next_checkin) {
      next.append(el("span", formatDate(row.next_checkin), row.overdue ? "overdue" : ""));
      if (row.overdue) next.append(el("span", words.overdue, "sub overdue"));
    }
    const committee = cell(words.committee);
    committee.append(el("span", formatNumber(row.committee_size)));
    committee.append(el("span", row.coordinators.length ? row.coordinators.join(", ") : words.none, "sub"));
    tr.append(place, partner, country, status, last, recent, next, committee);
    return tr;
  }

  // --- the charts, drawn here as SVG ---

  function legend(target, entries) {
    const box = $(target);
    box.replaceChildren();
    for (const [text, colour] of entries) {
      const item = el("span");
      const swatch = el("i");
      swatch.style.background = colour;
      item.append(swatch, text);
      box.append(item);
    }
  }

  function axisLabels(chart, months, x, width, height) {
    const every = Math.ceil(months.length / (width < 500 ? 4 : 8));
    months.forEach((month, i) => {
      if (i % every !== 0) return;
      const text = svg("text", { x: x(i), y: height - 4, "text-anchor": "middle" });
      text.textContent = formatMonth(month, i === 0 || month.endsWith("-01"));
      chart.append(text);
    });
  }

  function stackedBars(target, months, series, colours) {
    const width = Math.max(300, $(target).clientWidth || 600);
    const height = 180;
    const pad = { left: 34, right: 6, top: 8, bottom: 20 };
    const totals = months.map((_, i) => Object.values(series).reduce((sum, values) => sum + values[i], 0));
    const top = Math.max(1, ...totals);
    const band = (width - pad.left - pad.right) / Math.max(1, months.length);
    const y = (value) => pad.top + (height - pad.top - pad.bottom) * (1 - value / top);
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "data-chart": "contacts" });
    chart.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: "axis" }));
    for (const tick of [top, Math.round(top / 2)]) {
      const text = svg("text", { x: pad.left - 4, y: y(tick) + 3, "text-anchor": "end" });
      text.textContent = formatNumber(tick);
      chart.append(text);
    }
    months.forEach((month, i) => {
      let base = 0;
      for (const [channel, values] of Object.entries(series)) {
        if (!values[i]) continue;
        const rect = svg("rect", {
          x: pad.left + i * band + band * 0.15, width: band * 0.7,
          y: y(base + values[i]), height: y(base) - y(base + values[i]), fill: colours[channel] || "#888",
        });
        const tip = svg("title");
        tip.textContent = `${formatMonth(month, true)}: ${me.channels[channel] || channel} ${formatNumber(values[i])}`;
        rect.append(tip);
        chart.append(rect);
        base += values[i];
      }
    });
    axisLabels(chart, months, (i) => pad.left + (i + 0.5) * band, width, height);
    $(target).replaceChildren(chart);
  }

  function lines(target, months, series, colours) {
    const width = Math.max(300, $(target).clientWidth || 600);
    const height = 160;
    const pad = { left: 34, right: 6, top: 8, bottom: 20 };
    const top = Math.max(1, ...Object.values(series).flat());
    const step = (width - pad.left - pad.right) / Math.max(1, months.length - 1);
    const x = (i) => pad.left + i * step;
    const y = (value) => pad.top + (height - pad.top - pad.bottom) * (1 - value / top);
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "data-chart": "statuses" });
    chart.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: "axis" }));
    const text = svg("text", { x: pad.left - 4, y: y(top) + 3, "text-anchor": "end" });
    text.textContent = formatNumber(top);
    chart.append(text);
    for (const [status, values] of Object.entries(series)) {
      if (!values.some(Boolean)) continue;
      const points = values.map((value, i) => `${x(i).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
      const line = svg("polyline", { points, fill: "none", stroke: colours[status], "stroke-width": 2 });
      const tip = svg("title");
      tip.textContent = `${me.statuses[status]}: ${formatNumber(values[values.length - 1])}`;
      line.append(tip);
      chart.append(line);
    }
    axisLabels(chart, months, x, width, height);
    $(target).replaceChildren(chart);
  }

  function ties(countries) {
    const box = $("ties");
    box.replaceChildren();
    for (const c of countries.slice(0, 12)) {
      const row = el("div", null, "tie");
      const bar = el("div", null, "bar");
      const kept = el("span");
      kept.style.width = (100 * c.kept / Math.max(1, c.total)) + "%";
      kept.style.background = STATUS_COLOURS.active;
      const ended = el("span");
      ended.style.width = (100 * c.ended / Math.max(1, c.total)) + "%";
      ended.style.background = STATUS_COLOURS.terminated;
      bar.append(kept, ended);
      const figures = `${words.kept} ${formatNumber(c.kept)}/${formatNumber(c.total)} · ` +
        `${words.in_touch} ${formatNumber(c.in_touch)}`;
      row.append(el("span", c.label), bar, el("span", figures, "figures"));
      box.append(row);
    }
  }

  async function loadTrends() {
    const body = await api("trends", filterParams());
    stackedBars("chart-contacts", body.months, body.contacts, CHANNEL_COLOURS);
    legend("legend-contacts", Object.keys(body.contacts).map((c) => [me.channels[c] || c, CHANNEL_COLOURS[c]]));
    lines("chart-statuses", body.months, body.statuses, STATUS_COLOURS);
    legend("legend-statuses", Object.keys(body.statuses).map((s) => [me.statuses[s], STATUS_COLOURS[s]]));
    ties(body.countries);
  }

  // --- one partnership ---

  async function openDetail(id) {
    state.detail = id;
    state.logPage = 1;
    await loadDetail();
    $("overview").hidden = true;
    $("detail").hidden = false;
    window.scrollTo(0, 0);
    const back = window.Telegram && window.Telegram.WebApp && window.Telegram.WebApp.BackButton;
    if (back && back.show) back.show();
  }

  function closeDetail() {
    state.detail = null;
    $("detail").hidden = true;
    $("overview").hidden = false;
    const back = window.Telegram && window.Telegram.WebApp && window.Telegram.WebApp.BackButton;
    if (back && back.hide) back.hide();
  }

  async function loadDetail() {
    const params = { page: state.logPage };
    if ($("f-from").value) params.from = $("f-from").value;
    if ($("f-to").value) params.to = $("f-to").value;
    const body = await api("partnerships/" + state.detail, params);
    const c = body.card;
    const card = $("card");
    card.replaceChildren(el("h2", c.us_name + " – " + c.partner_name));
    card.append(el("p", `${words.us_member}: ${c.us_name}, ${c.us_state}`));
    card.append(el("p", `${words.partner}: ${[c.partner_name, c.partner_region, c.country_label]
      .filter(Boolean).join(", ")}`));
    const status = el("p");
    status.append(el("span", c.status_label, "badge " + c.status));
    if (c.status_since) status.append(" " + fill(words.since, { date: formatDate(c.status_since) }));
    if (c.at_risk) status.append(" ", el("span", words.at_risk, "badge risk"));
    card.append(status);
    if (c.status_note) card.append(el("p", fill(words.reason, { reason: c.status_note })));
    card.append(el("p", `${words.last_contact}: ` +
      (c.last_contact ? `${formatDate(c.last_contact)} (${c.last_channel_label})` : words.no_contact)));
    card.append(el("p", `${words.recent}: ${formatNumber(c.recent_contacts)}`));
    if (c.next_checkin) {
      card.append(el("p", `${words.next_checkin}: ${formatDate(c.next_checkin)}` +
        (c.overdue ? ` (${words.overdue})` : ""), c.overdue ? "overdue" : ""));
    }
    const history = $("history");
    history.replaceChildren();
    for (const change of body.history) {
      const li = el("li");
      li.append(el("strong", formatDate(change.date || change.recorded) + ": " + change.status_label));
      if (change.reason) li.append(el("div", fill(words.reason, { reason: change.reason })));
      if (change.decided_by) li.append(el("div", fill(words.decided_by, { who: change.decided_by }), "muted"));
      if (change.source) li.append(el("div", fill(words.source, { source: change.source }), "muted"));
      history.append(li);
    }
    $("log-section").hidden = body.contacts === null;
    if (body.contacts) {
      const log = $("log");
      log.replaceChildren();
      if (!body.contacts.rows.length) log.append(el("li", words.no_contacts, "muted"));
      for (const contact of body.contacts.rows) {
        const li = el("li");
        const head = `${formatDate(contact.date)} · ${contact.channel_label}` +
          (contact.participants ? " · " + fill(words.participants, { count: formatNumber(contact.participants) }) : "");
        li.append(el("strong", head), el("div", contact.summary));
        li.append(el("div", contact.author || words.former_member, "muted"));
        log.append(li);
      }
      const pages = Math.max(1, Math.ceil(body.contacts.total / body.contacts.per_page));
      $("log-page").textContent = fill(words.page_of, { page: formatNumber(state.logPage),
        pages: formatNumber(pages) });
      $("log-prev").disabled = state.logPage <= 1;
      $("log-next").disabled = state.logPage >= pages;
    }
    $("committee-section").hidden = body.committee === null;
    if (body.committee) {
      const list = $("committee");
      list.replaceChildren();
      for (const seat of body.committee) {
        const role = seat.role === "coordinator" ? words.role_coordinator : words.role_member;
        list.append(el("li", `${seat.name}${seat.username ? " (@" + seat.username + ")" : ""} · ${role}`));
      }
    }
  }

  // --- the audit log, for admins ---

  function changes(before, after) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.map((key) => `${key}: ${before[key] ?? "—"} → ${after[key] ?? "—"}`).join("; ");
  }

  async function loadAudit() {
    const body = await api("audit", { page: state.auditPage });
    const list = $("audit");
    list.replaceChildren();
    for (const entry of body.rows) {
      const li = el("li");
      const when = formatDate(entry.at.slice(0, 10)) + " " + entry.at.slice(11, 16) + " UTC";
      const who = [entry.actor || words.former_member, entry.action_label, entry.subject].filter(Boolean);
      li.append(el("strong", when), el("div", who.join(" · ")));
      const changed = changes(entry.before, entry.after);
      if (changed) li.append(el("div", changed, "muted"));
      list.append(li);
    }
    const pages = Math.max(1, Math.ceil(body.total / body.per_page));
    $("audit-page").textContent = fill(words.page_of, { page: formatNumber(state.auditPage),
      pages: formatNumber(pages) });
    $("audit-prev").disabled = state.auditPage <= 1;
    $("audit-next").disabled = state.auditPage >= pages;
  }

  // --- the CSV of what the table shows ---

  async function downloadCsv() {
    const params = { ...filterParams(), sort: state.sort, order: state.order };
    const webApp = window.Telegram && window.Telegram.WebApp;
    if (webApp && webApp.initData && webApp.downloadFile && webApp.isVersionAtLeast &&
        webApp.isVersionAtLeast("8.0")) {
      // Telegram's clients download a URL themselves; the signed initData goes along as a parameter.
      const url = new URL("api/partnerships.csv", location.href);
      url.search = new URLSearchParams({ ...params, init_data: initData }).toString();
      webApp.downloadFile({ url: url.toString(), file_name: "partnerships.csv" });
      return;
    }
    const response = await fetch("api/partnerships.csv?" + new URLSearchParams(params).toString(), {
      headers: { Authorization: "tma " + initData },
      cache: "no-store",
    });
    if (!response.ok) throw new Refused(response.status, words.error);
    const link = el("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = "partnerships.csv";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  // --- putting it together ---

  function showError(error) {
    $("spinner").hidden = true;
    const notice = $("notice");
    notice.textContent = (error && error.message) || words.error || "Error";
    notice.hidden = false;
  }

  function guarded(action) {
    return (...args) => action(...args).catch(showError);
  }

  let typing = null;
  function refilter() {
    state.page = 1;
    clearTimeout(typing);
    typing = setTimeout(guarded(() => Promise.all([loadTable(), loadTrends()])), 250);
  }

  function wire() {
    $("filters").addEventListener("input", refilter);
    $("filters").addEventListener("change", refilter);
    $("filters").addEventListener("submit", (event) => event.preventDefault());
    $("f-reset").addEventListener("click", () => setTimeout(refilter, 0));
    $("table-header").addEventListener("click", (event) => {
      const th = event.target.closest("th");
      if (!th) return;
      state.order = state.sort === th.dataset.sort && state.order === "asc" ? "desc" : "asc";
      state.sort = th.dataset.sort;
      state.page = 1;
      guarded(loadTable)();
    });
    $("table-header").addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.target.click();
    });
    $("table-body").addEventListener("click", (event) => {
      const tr = event.target.closest("tr[data-id]");
      if (tr) guarded(openDetail)(Number(tr.dataset.id));
    });
    $("prev").addEventListener("click", () => { state.page -= 1; guarded(loadTable)(); });
    $("next").addEventListener("click", () => { state.page += 1; guarded(loadTable)(); });
    $("log-prev").addEventListener("click", () => { state.logPage -= 1; guarded(loadDetail)(); });
    $("log-next").addEventListener("click", () => { state.logPage += 1; guarded(loadDetail)(); });
    $("back").addEventListener("click", closeDetail);
    $("audit-prev").addEventListener("click", () => { state.auditPage -= 1; guarded(loadAudit)(); });
    $("audit-next").addEventListener("click", () => { state.auditPage += 1; guarded(loadAudit)(); });
    $("csv").addEventListener("click", guarded(downloadCsv));
    const webApp = window.Telegram && window.Telegram.WebApp;
    if (webApp && webApp.BackButton && webApp.BackButton.onClick) webApp.BackButton.onClick(closeDetail);
  }

  async function start() {
    const launch = launchParams();
    initData = launch.initData;
    const webApp = window.Telegram && window.Telegram.WebApp;
    applyTheme((webApp && webApp.initData && webApp.themeParams) || launch.theme);
    if (webApp && webApp.ready) {
      webApp.ready();
      if (webApp.expand) webApp.expand();
    }
    me = await api("me");
    words = me.texts;
    label();
    wire();
    // Shown before drawing, so the charts take the width the page really has.
    $("overview").hidden = false;
    $("audit-section").hidden = !me.sees_audit;
    await Promise.all([loadTable(), loadTrends(), me.sees_audit ? loadAudit() : null]);
    $("spinner").hidden = true;
    document.body.dataset.ready = "1";
  }

  // Telegram's script loads asynchronously and may be missing offline: wait for it a moment at most.
  function whenTelegramOrNot(callback) {
    const script = document.querySelector('script[src*="telegram-web-app.js"]');
    if ((window.Telegram && window.Telegram.WebApp) || !script) return callback();
    let done = false;
    const once = () => { if (!done) { done = true; callback(); } };
    script.addEventListener("load", once);
    script.addEventListener("error", once);
    setTimeout(once, 600);
  }

  whenTelegramOrNot(() => start().catch(showError));
})();
