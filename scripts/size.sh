#!/usr/bin/env bash
# Builds the web app and a bare Leptos hello page with the same profile and tools, prints the
# size of every file each one transfers (raw and gzip), and fails when the app's total gzip size
# passes the budget. Usage: scripts/size.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
goal_kb=64
limit_kb=120

if [[ ${1:-} != --no-build ]]; then
    scripts/build-web.sh
    scripts/build-web.sh tools/hello
fi

# Prints one line per transferred file and returns the total gzip bytes in $total.
measure() {
    local name=$1 dir=$2 file raw gz
    total=0
    for file in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css; do
        [[ -f $file ]] || continue
        raw=$(wc -c <"$file")
        gz=$(gzip -9 -c "$file" | wc -c)
        total=$((total + gz))
        printf '%-8s %-44s %9d %9d\n' "$name" "$(basename "$file")" "$raw" "$gz"
    done
    printf '%-8s %-44s %9s %9d\n' "$name" "total" "" "$total"
}

printf '%-8s %-44s %9s %9s\n' build file "raw B" "gzip B"
measure hello target/size/hello
hello_total=$total
measure app dist
app_total=$total

awk -v app="$app_total" -v hello="$hello_total" -v goal="$goal_kb" -v limit="$limit_kb" 'BEGIN {
    printf "\napp: %.1f KB gzip (hello page: %.1f KB; goal %d KB, limit %d KB)\n",
        app / 1024, hello / 1024, goal, limit
}'
if ((app_total > limit_kb * 1024)); then
    echo "size: the app is over the ${limit_kb} KB limit" >&2
    exit 1
fi
