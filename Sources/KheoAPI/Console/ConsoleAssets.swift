/// The console's stylesheet and script, served from the binary: nothing is fetched
/// from elsewhere. The script only adds conveniences (confirm dialogs, live refresh of
/// the operator overview); every page works without it.
enum ConsoleAssets {
    static let css = """
    :root { --ink: #1b1f24; --muted: #4a5563; --line: #c9d1da; --accent: #9b1c1c; --accent-ink: #fff; --bg: #fbfbfa; --ok: #1f6f3f; --warn: #8a4b00; --bad: #a11212; }
    * { box-sizing: border-box; }
    html { font-family: "Noto Sans", "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; font-size: 100%; line-height: 1.45; color: var(--ink); background: var(--bg); }
    body { margin: 0; }
    a { color: #0b4f8a; }
    a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid #f0b400; outline-offset: 2px; }
    .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
    .skip:focus { left: .5rem; }
    header.top { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem; padding: .6rem 1rem; background: var(--accent); color: var(--accent-ink); }
    header.top a { color: var(--accent-ink); text-decoration: none; font-weight: 700; }
    header.top p { margin: 0; }
    .who { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; font-size: .92rem; }
    .who form { margin: 0; }
    button.link { background: none; border: 1px solid var(--accent-ink); color: var(--accent-ink); border-radius: 4px; padding: .2rem .6rem; cursor: pointer; font: inherit; }
    nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; margin: 0; padding: .4rem 1rem; background: #f1e9e4; border-bottom: 1px solid var(--line); }
    nav a { display: inline-block; padding: .35rem .6rem; border-radius: 4px; text-decoration: none; color: var(--ink); }
    nav a[aria-current="page"] { background: #fff; border: 1px solid var(--line); font-weight: 700; }
    main { padding: 1rem; max-width: 80rem; }
    h1 { font-size: 1.5rem; margin: .2rem 0 1rem; }
    h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
    .scroll { overflow-x: auto; margin-bottom: 1rem; }
    table { border-collapse: collapse; width: 100%; background: #fff; font-size: .95rem; }
    caption { text-align: left; font-weight: 700; padding: .3rem 0; }
    th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
    th { background: #eef1f4; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    .notice { background: #e6f4ea; border: 1px solid #9fd3ae; padding: .5rem .75rem; border-radius: 4px; }
    .error { background: #fdecea; border: 1px solid #f1a9a0; padding: .5rem .75rem; border-radius: 4px; }
    .empty { color: var(--muted); }
    .muted { color: var(--muted); }
    form.stack { display: grid; gap: .6rem; max-width: 40rem; background: #fff; border: 1px solid var(--line); padding: 1rem; border-radius: 6px; }
    form.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: flex-end; margin-bottom: 1rem; }
    form.inline { display: inline; margin: 0; }
    .field { display: grid; gap: .2rem; }
    .check { display: flex; gap: .5rem; align-items: center; margin: .5rem 0; }
    label { font-weight: 600; }
    fieldset label { font-weight: 400; }
    input, select, textarea { font: inherit; padding: .35rem .45rem; border: 1px solid #8894a2; border-radius: 4px; background: #fff; color: var(--ink); min-width: 0; }
    textarea { min-height: 5rem; }
    button, .button { font: inherit; background: var(--accent); color: var(--accent-ink); border: 0; border-radius: 4px; padding: .45rem .9rem; cursor: pointer; text-decoration: none; display: inline-block; }
    button.secondary, .button.secondary { background: #3d4b5c; }
    .state { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .85rem; border: 1px solid var(--line); background: #fff; }
    .state.bad { color: var(--bad); border-color: #e0a0a0; }
    .state.ok { color: var(--ok); border-color: #9fd3ae; }
    .state.warn { color: var(--warn); border-color: #e5c28a; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .6rem; margin-bottom: 1rem; }
    .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
    .card .value { font-size: 1.5rem; font-weight: 700; display: block; }
    ul.tree, ul.tree ul { list-style: none; padding-left: 1.1rem; margin: 0; }
    ul.tree { padding-left: 0; }
    ul.tree li { margin: .15rem 0; }
    .calendar { display: grid; gap: .6rem; }
    .day { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; }
    .day h3 { margin: 0 0 .3rem; font-size: 1rem; }
    .slot { display: grid; grid-template-columns: 4.5rem 1fr; gap: .3rem; border-top: 1px dashed var(--line); padding: .3rem 0; }
    svg.chart { max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); }
    svg.chart text { font-family: inherit; font-size: 12px; fill: #1b1f24; }
    svg.chart .bar { fill: #9b1c1c; }
    svg.chart .bar2 { fill: #5b7fa6; }
    svg.chart .fail { fill: #d97706; }
    svg.chart .axis { stroke: #4a5563; stroke-width: 1; }
    svg.chart .grid { stroke: #dfe3e8; stroke-width: 1; }
    .legend { display: flex; gap: 1rem; font-size: .9rem; }
    .swatch { display: inline-block; width: .9rem; height: .9rem; vertical-align: middle; margin-right: .3rem; }
    .swatch.bar { background: #9b1c1c; } .swatch.bar2 { background: #5b7fa6; } .swatch.fail { background: #d97706; }
    pre { background: #f4f5f7; border: 1px solid var(--line); padding: .5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
    dl.facts dt { font-weight: 700; }
    dl.facts dd { margin: 0; }
    .prewrap { white-space: pre-wrap; }
    @media (max-width: 40rem) {
      main { padding: .6rem; }
      h1 { font-size: 1.25rem; }
      table { font-size: .88rem; }
      th, td { padding: .3rem; }
      .slot { grid-template-columns: 1fr; }
    }
    @media print {
      nav, .who form, form.filters, .skip, button { display: none !important; }
      header.top { background: none; color: #000; border-bottom: 2px solid #000; }
      header.top a { color: #000; }
      svg.chart { border: 0; }
    }
    """

    static let javascript = """
    // Conveniences only: every page works without this file.
    // 1. Forms marked data-confirm ask before they post.
    document.addEventListener('submit', function (event) {
      var form = event.target;
      var question = form.getAttribute('data-confirm');
      if (question && !window.confirm(question)) { event.preventDefault(); }
    });
    // 2. Pages marked data-refresh reload themselves every N seconds while visible.
    (function () {
      var seconds = parseInt(document.body.getAttribute('data-refresh') || document.documentElement.getAttribute('data-refresh') || '0', 10);
      var main = document.querySelector('main[data-refresh]');
      if (main) { seconds = parseInt(main.getAttribute('data-refresh'), 10); }
      if (seconds > 0) {
        setInterval(function () { if (document.visibilityState === 'visible') { window.location.reload(); } }, seconds * 1000);
      }
    })();
    """
}
