/** The page's stylesheet: system fonts, no external resources. */
export const DASHBOARD_CSS = `
:root { --bg: #0f1419; --panel: #182028; --line: #2a3440; --text: #e6edf3; --muted: #8b98a5; --ok: #3fb950; --warn: #d29922; --crit: #f85149; --accent: #58a6ff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; gap: 16px; align-items: center; padding: 14px 24px; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 10px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
h3 { font-size: 13px; color: var(--muted); margin: 14px 0 6px; }
main { padding: 16px 24px 40px; display: grid; gap: 18px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.muted { color: var(--muted); }
.pill { padding: 2px 10px; border-radius: 999px; font-weight: 600; font-size: 12px; background: var(--line); }
.pill.ok { background: rgba(63,185,80,.18); color: var(--ok); }
.pill.warn { background: rgba(210,153,34,.18); color: var(--warn); }
.pill.crit { background: rgba(248,81,73,.2); color: var(--crit); }
#warning-list { margin: 0; padding: 0; list-style: none; display: grid; gap: 6px; }
#warning-list li { padding: 6px 10px; border-radius: 6px; border-left: 4px solid var(--line); }
#warning-list li.critical { border-color: var(--crit); background: rgba(248,81,73,.12); }
#warning-list li.warning { border-color: var(--warn); background: rgba(210,153,34,.12); }
#warning-list li.none { border-color: var(--ok); background: rgba(63,185,80,.1); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.card .big { font-size: 34px; font-weight: 700; }
.card.ok .big { color: var(--ok); } .card.warn .big { color: var(--warn); } .card.crit .big { color: var(--crit); }
.card dl, .figures { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 8px 0 0; }
dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; }
.figures dd { font-size: 18px; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; background: none; border: none; padding: 0; }
figure { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
figcaption { color: var(--muted); margin-bottom: 6px; }
svg { width: 100%; height: auto; display: block; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { fill: var(--muted); font-size: 11px; }
svg polyline { fill: none; stroke-width: 2; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; margin-top: 6px; color: var(--muted); }
.legend .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; }
td.ok { color: var(--ok); } td.warn { color: var(--warn); } td.crit { color: var(--crit); }
.split { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 24px; }
.meter { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; margin: 4px 0 8px; }
.meter span { display: block; height: 100%; background: var(--accent); }
.node { border: 1px solid var(--line); border-radius: 8px; padding: 10px; margin-bottom: 10px; }
.bars { display: flex; gap: 6px; align-items: flex-end; height: 90px; margin-top: 10px; }
.bars div { flex: 1; background: var(--accent); border-radius: 3px 3px 0 0; min-height: 2px; position: relative; }
.bars div span { position: absolute; bottom: -18px; left: 0; right: 0; text-align: center; font-size: 10px; color: var(--muted); }
.buttons { display: flex; gap: 10px; flex-wrap: wrap; }
button { background: var(--line); color: var(--text); border: 1px solid #3a4654; border-radius: 6px; padding: 8px 12px; cursor: pointer; font: inherit; }
button:hover { border-color: var(--accent); } button:disabled { opacity: .5; cursor: wait; }
pre { background: var(--bg); border-radius: 6px; padding: 10px; overflow: auto; max-height: 240px; }
`;
