#!/usr/bin/env bash
# Refreshes the vendored ECharts build that reports embed in every page.
#
# Reports must open offline and as e-mail attachments, so the script is
# inlined into each HTML file rather than loaded from a CDN (go-echarts'
# default). It comes from the npm registry's echarts package (Apache-2.0);
# its LICENSE and NOTICE stay beside it. go-echarts v2.6 writes options for
# ECharts 5, hence the 5.x line.
#
# Usage: reports/assets/fetch-echarts.sh [version]   (run from anywhere)
set -euo pipefail
version="${1:-5.6.0}"
here="$(cd "$(dirname "$0")" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
npm pack --silent "echarts@${version}" >/dev/null 2>&1
tar -xzf "echarts-${version}.tgz"
cp package/dist/echarts.common.min.js "$here/echarts.min.js"
cp package/LICENSE "$here/ECHARTS-LICENSE"
cp package/NOTICE "$here/ECHARTS-NOTICE"
{ echo "echarts $version dist/echarts.common.min.js from the npm registry"; (cd "$here" && sha256sum echarts.min.js); } >"$here/ECHARTS-VERSION"
cat "$here/ECHARTS-VERSION"
