// Checks run inside each built page by test_pages.py. Every function returns a list of
// problems, each naming the element (tag, id or class, start of its text) and what is wrong.
window.xentbookChecks = (() => {
  // The page's own content: the theme's <main> also holds both sidebars.
  const main = () =>
    document.querySelector("article.bd-article") || document.querySelector("main") || document.body;

  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += `#${el.id}`;
    else if (el.classList.length) name += `.${[...el.classList].slice(0, 2).join(".")}`;
    const section = el.closest("section[id]");
    const where = section ? ` in section #${section.id}` : "";
    const text = (el.innerText || el.getAttribute("alt") || "").trim().replace(/\s+/g, " ");
    return `<${name}>${where} "${text.slice(0, 60)}"`;
  };

  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
  };

  // The TeX source of each typeset formula, from MathJax's own list of what it typeset.
  const texOf = (container) => {
    const items = window.MathJax?.startup?.document?.math;
    if (items) {
      for (const item of items) if (item.typesetRoot === container) return item.math;
    }
    return container.textContent;
  };

  // The width of the screen the page is shown on. On a phone (and under Chromium's phone
  // emulation) a page that overflows widens its layout viewport to fit, so window.innerWidth
  // grows with the overflow and cannot reveal it; the screen's width does not.
  const viewportWidth = () => Math.min(window.innerWidth, window.screen.width);

  // The page scrolls sideways when something sticks out of the viewport. Name the elements
  // where the overflow starts: those sticking out whose parent does not.
  function sidewaysPan() {
    const width = viewportWidth();
    if (document.documentElement.scrollWidth <= width + 1) return [];
    const out = (el) => el.getBoundingClientRect().right > width + 1;
    const culprits = [...document.body.querySelectorAll("*")]
      .filter((el) => visible(el) && out(el) && !(el.parentElement && out(el.parentElement)))
      .slice(0, 5)
      .map((el) => `${describe(el)} ends at ${Math.round(el.getBoundingClientRect().right)} px`);
    return [
      `the page is ${document.documentElement.scrollWidth} px wide in a ${width} px viewport ` +
        `and pans sideways: ${culprits.join("; ") || "(no single element found)"}`,
    ];
  }

  // A formula whose source line starts with "- " or "+ " becomes a list item, which leaves the
  // rest of it as raw TeX between single dollars. Look for a dollar in the prose: outside code,
  // outputs and typeset math.
  function rawTex() {
    const copy = main().cloneNode(true);
    copy
      .querySelectorAll("pre, code, script, style, mjx-container, .math, .cell_output")
      .forEach((el) => el.remove());
    const text = copy.textContent;
    const problems = [];
    for (const m of text.matchAll(/\$/g)) {
      const around = text.slice(Math.max(0, m.index - 40), m.index + 20).replace(/\s+/g, " ");
      problems.push(`raw TeX left in the prose: "${around}"`);
      if (problems.length >= 3) break;
    }
    return problems;
  }

  // An inline formula is clipped when part of it lies outside the viewport or outside an
  // ancestor that hides or scrolls its overflow (a formula scrolled out of sight is cut off
  // for a reader who sees no scrollbar).
  function clippedInlineMath() {
    const problems = [];
    for (const mjx of main().querySelectorAll('mjx-container:not([display="true"])')) {
      // a formula in a table scrolls with its table, which shows a cue when it scrolls
      if (!visible(mjx) || mjx.closest("table")) continue;
      const r = mjx.getBoundingClientRect();
      let clipped = r.right > viewportWidth() + 1 || r.left < -1;
      for (let a = mjx.parentElement; a && !clipped && a !== document.body; a = a.parentElement) {
        if (a.matches(".pst-scrollable-table-container, .table-wrapper")) break;
        const s = getComputedStyle(a);
        if (s.overflowX === "visible") continue;
        const ar = a.getBoundingClientRect();
        clipped = r.right > ar.right + 1 || r.left < ar.left - 1;
      }
      if (clipped) {
        problems.push(`inline formula $${texOf(mjx).trim().slice(0, 80)}$ is cut off (${describe(mjx.closest("p, li, dd, td, div") || mjx)})`);
      }
    }
    return problems;
  }

  // A display equation wider than the column scrolls; it must show that it does.
  function displayMathWithoutCue() {
    const problems = [];
    for (const box of main().querySelectorAll('mjx-container[display="true"]')) {
      if (!visible(box) || box.scrollWidth <= box.clientWidth + 1) continue;
      if (!getComputedStyle(box).backgroundImage.includes("gradient")) {
        problems.push(`display equation $${texOf(box).trim().slice(0, 60)}$ scrolls with no visible cue`);
      }
    }
    return problems;
  }

  // In the exercises section every code cell belongs to an exercise or to its solution.
  function solutionsOutsideDropdowns() {
    const problems = [];
    const exercises = main().querySelector("section#exercises");
    if (!exercises) return problems;
    for (const cell of exercises.querySelectorAll("div.cell")) {
      if (!cell.closest(".solution, .exercise")) {
        problems.push(`code cell outside any solution dropdown in #exercises: ${describe(cell)} ` +
          "(use solution-start / solution-end around a solution's code)");
      }
    }
    for (const solution of main().querySelectorAll(".solution")) {
      const body = [...solution.children].filter((c) => !c.classList.contains("admonition-title"));
      if (body.some(visible)) problems.push(`solution shown before it is opened: ${describe(solution)}`);
    }
    return problems;
  }

  // Figures: drawn from at least twice their displayed pixels, with alt text that describes.
  function figureProblems() {
    const problems = [];
    for (const img of main().querySelectorAll("figure img, .cell_output img")) {
      if (!visible(img)) continue;
      const style = getComputedStyle(img);
      const box = img.getBoundingClientRect();
      const inset = (a, b) => parseFloat(style[a]) + parseFloat(style[b]);
      // the drawn area: the box less padding and border (the dark theme pads figures)
      const r = {
        width: box.width - inset("paddingLeft", "paddingRight") - inset("borderLeftWidth", "borderRightWidth"),
        height: box.height - inset("paddingTop", "paddingBottom") - inset("borderTopWidth", "borderBottomWidth"),
      };
      const src = img.getAttribute("src").split("/").pop();
      if (img.naturalWidth < 2 * r.width - 1 || img.naturalHeight < 2 * r.height - 1) {
        problems.push(`figure ${src} is ${img.naturalWidth}x${img.naturalHeight} px drawn at ` +
          `${Math.round(r.width)}x${Math.round(r.height)}: under twice its displayed pixels`);
      }
      const alt = (img.getAttribute("alt") || "").trim();
      const words = alt.split(/\s+/).filter(Boolean).length;
      if (!alt || /^[0-9a-f]{16,}/i.test(alt) || /\.(png|svg|jpe?g)$/i.test(alt) || words < 4) {
        const caption = img.closest("figure")?.querySelector("figcaption")?.innerText.slice(0, 50);
        problems.push(`figure ${src}${caption ? ` ("${caption}")` : ""} has no alt text that ` +
          `says what it shows (alt="${alt.slice(0, 40)}"); set the cell metadata ` +
          "mystnb.image.alt");
      }
    }
    return problems;
  }

  // Code, inline formulas and tables that do not fit the column (checked at desktop width).
  function wideCodeAndTables() {
    const problems = [];
    for (const pre of main().querySelectorAll("div.highlight pre, div.output pre")) {
      // solutions too, folded or not: their code must fit once opened
      if (pre.clientWidth === 0 || pre.scrollWidth <= pre.clientWidth + 1) continue;
      const longest = pre.textContent.split("\n").reduce((a, b) => (b.length > a.length ? b : a), "");
      const kind = pre.closest(".cell_output, .output") ? "output" : "code";
      problems.push(`${kind} scrolls sideways (${pre.scrollWidth} px in ${pre.clientWidth} px), ` +
        `longest line ${longest.length} characters: "${longest.trim().slice(0, 70)}"`);
    }
    // An inline formula that scrolls at desktop width shows a scrollbar under it on systems
    // that draw them; a few pixels of glyph overhang are allowed for (they show none).
    const scrolling = [...main().querySelectorAll('mjx-container:not([display="true"])')]
      .filter((c) => visible(c) && c.scrollWidth > c.clientWidth + 4);
    if (scrolling.length) {
      problems.push(`${scrolling.length} inline formulas scroll sideways, the first: ` +
        `${describe(scrolling[0])} (${scrolling[0].scrollWidth} px in ${scrolling[0].clientWidth} px)`);
    }
    for (const table of main().querySelectorAll("table")) {
      if (!visible(table)) continue;
      const column = table.closest("article, main").getBoundingClientRect().width;
      const width = table.getBoundingClientRect().width;
      if (width > column + 1) {
        problems.push(`table is ${Math.round(width)} px wide in a ${Math.round(column)} px column: ${describe(table)}`);
      }
    }
    return problems;
  }

  // Text meant for the book's authors, and chapters linked by a bare title mid-sentence.
  function authorText() {
    const problems = [];
    const text = main().innerText;
    const patterns = [
      [/with the `?[\w:]+`? role/i, "explains MyST markup"],
      [/whether or not a chapter cites/i, "talks about the chapters' citations"],
      [/\{(doc|term|ref|eq|numref|cite|py:func|py:class)\}`/, "raw MyST role"],
      [/^:::/m, "raw MyST directive"],
      [/\b(TODO|FIXME|XXX)\b/, "note to authors"],
    ];
    for (const [re, what] of patterns) {
      const m = text.match(re);
      if (m) problems.push(`text meant for authors (${what}): "${m[0]}"`);
    }
    for (const a of main().querySelectorAll("p a.reference.internal")) {
      const href = a.getAttribute("href") || "";
      if (!/(^|\/)\d\d_[\w]+\.html$/.test(href)) continue; // links to a whole chapter only
      // a list of chapters (the intro's map) starts each item with the chapter's title
      const paragraph = a.closest("p").textContent.trim();
      const before = paragraph.split(a.textContent)[0].trim();
      if (a.closest("li") && before === "") continue;
      if (paragraph.startsWith("Used in")) continue; // the API page's list of chapters
      const text = a.textContent.trim().replace(/\s+/g, " "); // folded solutions included
      if (!/^(chapter|chapters)\s+\d+/i.test(text)) {
        problems.push(`chapter linked by its bare title "${text}" mid-sentence; ` +
          'write {doc}`chapter N <NN_file>`');
      }
    }
    return problems;
  }

  // Page furniture: one viewport tag, a tab title that names the book once, favicon, logo.
  function furniture(bookTitle) {
    const problems = [];
    const viewports = document.querySelectorAll('meta[name="viewport"]').length;
    if (viewports !== 1) problems.push(`${viewports} viewport meta tags (one expected)`);
    if (document.title.split(bookTitle).length > 2) problems.push(`tab title repeats the book title: "${document.title}"`);
    if (!document.querySelector('link[rel~="icon"]')) problems.push("no favicon link");
    const logo = document.querySelector(".navbar-brand img, img.logo__image");
    if (!logo) problems.push("no logo in the sidebar");
    else if (!(logo.getAttribute("alt") || "").trim()) problems.push("the logo has no alt text");
    return problems;
  }

  return {
    sidewaysPan, clippedInlineMath, displayMathWithoutCue, rawTex, solutionsOutsideDropdowns,
    figureProblems, wideCodeAndTables, authorText, furniture, describe,
  };
})();
