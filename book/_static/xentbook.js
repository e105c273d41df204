// Scripts of xentbook, on every page.
//
// Folded code cells: MyST-NB labels their toggle "Toggle hidden content" while it reads "Show
// code cell source"; a label that differs from the visible text fails WCAG 2.5.3, so the
// visible text becomes the name.
//
// The bibliography's list of citations loses a list role its contents do not fit.
//
// Search, as a reader expects it: the page whose title is the query comes first, and the
// snippets under each result show formulas as plain text instead of raw TeX. Both hooks are
// ones Sphinx's search offers: Scorer.score adjusts a result's score, Search.htmlToText
// turns a fetched page into the text the snippet is cut from.
(() => {
  const SYMBOLS = {
    log: "log", exp: "exp", sum: "Σ", prod: "Π", min: "min", max: "max", lim: "lim",
    le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", to: "→", infty: "∞",
    cdot: "·", times: "×", in: "∈", sim: "~", propto: "∝", nabla: "∇", partial: "∂",
    Vert: "‖", lVert: "‖", rVert: "‖", mid: "|", alpha: "α", beta: "β", gamma: "γ",
    delta: "δ", Delta: "Δ", varepsilon: "ε", epsilon: "ε", theta: "θ", lambda: "λ", mu: "μ",
    pi: "π", sigma: "σ", tau: "τ", phi: "φ", ell: "ℓ", star: "*", dots: "…", ldots: "…",
    cdots: "…",
  };

  // A readable approximation of a TeX formula: commands become symbols or words, fractions
  // a/b, and grouping braces, alignment marks and spacing commands disappear.
  function plainMath(tex) {
    let s = tex.replace(/^\s*(\\\(|\\\[|\$\$?)|(\\\)|\\\]|\$\$?)\s*$/g, "");
    s = s.replace(/\\begin\{[a-z*]+\}|\\end\{[a-z*]+\}/g, " ");
    for (let i = 0; i < 3; i++) s = s.replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)");
    s = s.replace(/\\(?:mathrm|mathbb|mathbf|mathcal|operatorname|text|textrm|boldsymbol)\{([^{}]*)\}/g, "$1");
    s = s.replace(/\\(left|right|big|Big|bigl|bigr|Bigl|Bigr)\b/g, "");
    s = s.replace(/\\([,;:! ]|quad|qquad)/g, " ");
    s = s.replace(/\\\\|&/g, " ");
    s = s.replace(/\\([a-zA-Z]+)/g, (_, name) => SYMBOLS[name] ?? name);
    s = s.replace(/\\(.)/g, "$1");
    return s.replace(/[{}]/g, "").replace(/\s+/g, " ").trim();
  }

  function install() {
    if (typeof Search === "undefined" || typeof Scorer === "undefined") return;
    const query = (new URLSearchParams(window.location.search).get("q") || "").trim().toLowerCase();
    const words = query.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const original = Scorer.score;
    const plain = (html) => (html || "").replace(/<[^>]*>/g, "").replace(/^[\d.]+\s+/, "").trim();
    Scorer.score = (result) => {
      let score = original ? original(result) : result[4];
      const [docname, title] = result;
      const index = Search._index;
      const pageTitle = plain(index ? index.titles[index.docnames.indexOf(docname)] : "");
      if (plain(title) === pageTitle && words.length) {
        // A page whose title holds every word of the query, the shorter the title the better:
        // enough to rank "Entropy" above the glossary's entry for the word (score 100).
        const titleWords = pageTitle.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
        if (words.every((w) => titleWords.includes(w))) {
          score += Math.round((200 * query.length) / pageTitle.length);
        }
      }
      return score;
    };
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".math").forEach((el) => {
        el.textContent = ` ${plainMath(el.textContent)} `;
      });
      return htmlToText(doc.documentElement.outerHTML, anchor);
    };
  }

  function nameFoldedCells() {
    document.querySelectorAll('summary[aria-label="Toggle hidden content"]').forEach((summary) => {
      summary.removeAttribute("aria-label");
    });
  }

  // The bibliography: docutils marks the list of citations role="list" although its entries
  // hold back-links, which a list may not (axe-core: aria-required-children).
  function plainCitationList() {
    document.querySelectorAll('.citation-list[role="list"]').forEach((list) => {
      list.removeAttribute("role");
      list.querySelectorAll('[role="doc-biblioentry"]').forEach((e) => e.removeAttribute("role"));
    });
  }

  const ready = () => {
    install();
    nameFoldedCells();
    plainCitationList();
  };
  // Deferred scripts run before DOMContentLoaded, and this one before Sphinx's searchtools.js,
  // whose search starts on that event: install on it, ahead of the search.
  if (document.readyState === "complete") ready();
  else document.addEventListener("DOMContentLoaded", ready);
})();
