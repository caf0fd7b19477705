# TF.js export tests: Node + @tensorflow/tfjs (pure JS, cpu backend) and
# playwright-core from js/package-lock.json, and Debian's Chromium for the
# browser example test. Sourced by .ci/run (which defines apt_install).
apt_install "chromium" chromium
if [ ! -f js/node_modules/.installed ] || [ js/package-lock.json -nt js/node_modules/.installed ]; then
  npm ci --prefix js --no-audit --no-fund
  touch js/node_modules/.installed
fi
