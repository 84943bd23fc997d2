// The element's shadow-DOM stylesheet. Sized for kiosks: text and targets scale
// with the element's own short side (container query units, never the viewport:
// an embedded element lives in a host's column), one layout for portrait
// (stacked) and one for landscape (side panel), chosen by the element's shape.
export const KIOSK_CSS = /* css */ `
:host {
  display: block;
  box-sizing: border-box;
  position: relative;
  /* No width: a block fills its container minus its own margins. Height: the container's, or the host page's (min 480 px). */
  height: 100%;
  min-height: 480px;
  container-type: size;
  container-name: kiosk;
  --fg: #f4f6f8;
  --muted: #aab4be;
  --bg: #0f1419;
  --panel: #1b232c;
  --accent: #39ff88;
  --warn: #ffb020;
  --danger: #ff5c5c;
  --radius: 16px;
  font: 500 16px / 1.3 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  color: var(--fg);
  background: var(--bg);
  user-select: none;
  -webkit-user-select: none;
  -webkit-touch-callout: none;
  -webkit-tap-highlight-color: transparent;
  touch-action: manipulation;
}
*, *::before, *::after { box-sizing: border-box; }
/* Sizes follow the element's short side (cqmin), as the viewport's did for a full-screen kiosk. */
/* min-height: when the host's height is not definite (a parent without a height), 100cqh resolves to 0. */
.kiosk { min-height: 480px; }
.kiosk { --gap: clamp(10px, 1.6cqmin, 24px); --target: clamp(56px, 6.6cqmin, 96px); font-size: clamp(16px, 2.4cqmin, 30px); }
[hidden] { display: none !important; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.kiosk { display: flex; flex-direction: column; height: 100cqh; gap: var(--gap); padding: var(--gap); }
.topbar { display: flex; flex-wrap: wrap; align-items: center; gap: var(--gap); }
.modes { display: flex; background: var(--panel); border-radius: var(--radius); padding: 6px; gap: 6px; }
button {
  font: inherit; color: inherit; min-height: var(--target); min-width: var(--target);
  padding: 0 1.1em; border-radius: var(--radius); border: 2px solid transparent;
  background: var(--panel); cursor: pointer;
}
button:focus-visible { outline: 4px solid var(--accent); outline-offset: 3px; }
button:disabled { opacity: 0.45; cursor: default; }
button.primary { background: var(--accent); color: #03210f; font-weight: 700; }
.modes button[aria-selected='true'] { background: var(--fg); color: var(--bg); font-weight: 700; }
.status { display: flex; flex-wrap: wrap; gap: 8px; margin-left: auto; font-size: 0.8em; }
.chip { background: var(--panel); border-radius: 999px; padding: 0.35em 0.9em; white-space: nowrap; display: inline-flex; align-items: center; gap: 0.5em; }
.chip.warn { color: var(--warn); }
.chip.danger { color: var(--danger); }
.chip progress { width: 6em; height: 0.7em; accent-color: var(--accent); }
.banner { border-radius: var(--radius); padding: 0.6em 1em; background: #3a2a05; color: var(--warn); font-weight: 600; }
.banner.danger { background: #3a0d0d; color: var(--danger); }
.view { flex: 1; min-height: 0; display: grid; gap: var(--gap); }
/* One row as tall as the view: the panel scrolls instead of growing past the element (a short embedded element too). */
@container kiosk (orientation: landscape) { .view { grid-template-columns: minmax(0, 1fr) minmax(320px, 30%); grid-template-rows: minmax(0, 1fr); } }
@container kiosk (orientation: portrait) { .view { grid-template-rows: minmax(0, 1fr) auto; } .view.search { grid-template-rows: minmax(0, 1.4fr) minmax(0, 1fr); } }
.stage {
  position: relative; min-height: 0; border-radius: var(--radius); overflow: hidden;
  background: #000; display: grid; place-items: center; container-type: size;
}
.stage > video, .stage > canvas { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; }
.stage.dragging { outline: 6px dashed var(--accent); outline-offset: -6px; }
.stage-message { position: relative; z-index: 1; text-align: center; padding: 1.5em; max-width: 32em; display: grid; gap: var(--gap); justify-items: center; }
.notice { position: absolute; left: var(--gap); right: var(--gap); bottom: var(--gap); z-index: 2; margin: 0; padding: 0.6em 1em; border-radius: var(--radius); background: rgba(58, 42, 5, 0.92); color: var(--warn); font-weight: 600; }
.stage-message strong { font-size: 1.4em; }
/* The panel scrolls, which clips: its padding (cancelled by the margin) leaves room for the 7 px focus ring. */
.panel { display: flex; flex-direction: column; gap: var(--gap); min-height: 0; overflow: auto; padding: 8px; margin: -8px; }
.panel .actions { display: grid; gap: var(--gap); }
@container kiosk (orientation: portrait) { .panel .actions { grid-template-columns: 1fr 1fr; } }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 0.3em 1em; margin: 0; background: var(--panel); border-radius: var(--radius); padding: 0.8em 1em; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; min-width: 0; overflow-wrap: anywhere; }
.facts dd[data-fact='gallery'] { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; overflow-wrap: normal; }
.hint { color: var(--muted); margin: 0; }
.photo { position: relative; max-width: 100%; max-height: 100%; }
.photo img { display: block; width: 100%; height: 100%; }
.person {
  position: absolute; min-width: 0; min-height: 0; padding: 0; border-radius: 6px;
  border: 4px solid var(--accent); background: transparent;
}
/* People may touch the photo's (clipped) edge: their focus ring lies on the box's own border, dashed dark over its green or white. */
.person:focus-visible { outline: 4px dashed #000; outline-offset: -4px; }
.person[aria-pressed='true'] { border-color: #fff; box-shadow: 0 0 0 4px var(--accent), inset 0 0 0 9999px rgba(57, 255, 136, 0.15); }
.results { display: flex; flex-direction: column; gap: var(--gap); min-height: 0; flex: 1 1 auto; }
.results h2 { margin: 0; font-size: 1.1em; }
/* scroll-padding: a control scrolled into view by focus keeps room for its 7 px focus ring. */
.panel, .groups, .hits { scroll-padding: 12px; }
.groups { display: flex; flex-direction: column; gap: var(--gap); min-height: 0; flex: 1 1 auto; overflow: auto; padding: 8px; margin: -8px; }
.group h3 { margin: 0 0 0.4em; font-size: 0.85em; color: var(--muted); }
.group.likely h3 { color: var(--accent); }
.group.others .hit .score { color: var(--fg); font-weight: 500; }
.hit .similar { color: var(--warn); }
.hits { list-style: none; margin: 0; padding: 8px; display: grid; gap: var(--gap); grid-template-columns: repeat(auto-fill, minmax(7em, 1fr)); align-content: start; }
@container kiosk (orientation: portrait) { .hits { grid-auto-flow: column; grid-template-columns: none; grid-auto-columns: minmax(8em, 9em); overflow-x: auto; } }
.hit { width: 100%; padding: 8px; display: grid; gap: 4px; text-align: left; font-size: 0.75em; }
.hit img { width: 100%; aspect-ratio: 1 / 2; max-height: 30cqh; object-fit: cover; border-radius: 8px; background: #000; }
.hit .score { font-size: 1.4em; font-weight: 700; color: var(--accent); }
.hit .meta { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
dialog { border: none; border-radius: var(--radius); background: var(--panel); color: var(--fg); padding: var(--gap); max-width: 94cqw; max-height: 94cqh; }
dialog::backdrop { background: rgba(0, 0, 0, 0.8); }
dialog .photo { max-height: 78cqh; background: #000; border-radius: 8px; }
dialog .photo > .spinner { position: absolute; top: 50%; left: 50%; margin: -0.75em; }
dialog .photo .frame-box { position: absolute; border: 4px solid var(--accent); border-radius: 6px; pointer-events: none; }
dialog footer { display: flex; justify-content: space-between; align-items: center; gap: var(--gap); margin-top: var(--gap); }
.spinner.small { width: 1em; height: 1em; border-width: 3px; }
.spinner { width: 1.5em; height: 1.5em; border: 4px solid var(--muted); border-top-color: var(--accent); border-radius: 50%; animation: spin 1s linear infinite; }
.connecting { place-items: center; display: grid; color: var(--muted); }
.view.setup { display: block; overflow: auto; }
.setup-card { max-width: 46em; margin: 0 auto; display: grid; gap: var(--gap); }
.setup-card h1 { margin: 0; font-size: 1.5em; }
.setup-card h2 { margin: 0.6em 0 0.2em; font-size: 1em; color: var(--muted); }
.setup-card p { margin: 0; }
.setup-form { display: grid; gap: 0.5em; background: var(--panel); border-radius: var(--radius); padding: var(--gap); }
.setup-form label { font-weight: 600; }
.setup-form input { font: inherit; color: var(--fg); background: var(--bg); border: 2px solid var(--muted); border-radius: 10px; padding: 0.5em 0.7em; min-height: var(--target); user-select: text; -webkit-user-select: text; }
.setup-form input:focus-visible { outline: 4px solid var(--accent); outline-offset: 2px; }
.setup-help code { display: block; padding: 0.6em 0.8em; background: var(--panel); border-radius: 10px; overflow-wrap: anywhere; user-select: text; -webkit-user-select: text; font-size: 0.85em; }
@keyframes spin { to { transform: rotate(360deg); } }
`;
