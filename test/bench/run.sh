#!/usr/bin/env bash
# All benchmarks, one after another (they must not share the two cores). Each prints its
# figures against a baseline measured in the same run; copy them into docs/benchmarks.md.
set -euo pipefail
npx remix vite:build > /dev/null
npx tsx test/bench/segmentation.bench.ts
npx tsx test/bench/webhooks.bench.ts
npx tsx test/bench/backfill.bench.ts
npx tsx test/bench/tags.bench.ts
npx tsx test/bench/pages.bench.ts
npx tsx test/bench/vitals.bench.ts --skip-build
npx tsx test/bench/workflows.bench.ts --customers 1000000
