#!/usr/bin/env bash
# Renders the PR comment for the example images the way GitHub shows it, and screenshots it into
# docs/comment.png (the picture in the README). Re-run it whenever the markdown renderer changes.
#
#   scripts/render-comment.sh [OUT.png]                (default docs/comment.png)
#   scripts/render-comment.sh --ratchet [OUT.png]      (default docs/comment-ratchet.png)
#
# --ratchet renders the ratchet on an OS-based image: examples/busybox-os.tar against itself as main's
# image, with --fail-on new-error, so main's errors show as debt and the PR passes.
#
# The markdown is the real thing: `slimgate check --markdown` (the body the action posts) on
# examples/busybox-os.tar against examples/hello-scratch.tar, from the committed dist/. It is turned into
# HTML by cmark-gfm with GitHub's extensions, styled with github-markdown-css (GitHub's own markdown CSS),
# and screenshotted by headless Chromium. cmark-gfm, chromium and fonts-noto-color-emoji come from
# Debian; the script installs whichever is missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
ratchet=0
if [ "${1:-}" = --ratchet ]; then
  ratchet=1
  shift
fi
default=docs/comment.png
[ "$ratchet" = 0 ] || default=docs/comment-ratchet.png
out="$(realpath -m "${1:-$default}")"

need=()
command -v cmark-gfm >/dev/null || need+=(cmark-gfm)
command -v chromium >/dev/null || need+=(chromium)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || need+=(fonts-noto-color-emoji)
if ((${#need[@]})); then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "installing ${need[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
css=node_modules/github-markdown-css/github-markdown-light.css
[ -f "$css" ] || { echo "render-comment: $css is missing; run npm ci first" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Exit code 1 is the verdict (this example fails the policy), not an error.
status=0
if [ "$ratchet" = 1 ]; then
  node dist/cli.js check examples/busybox-os.tar --baseline oci-archive:examples/busybox-os.tar \
    --allowed-bases scratch,distroless,os --fail-on new-error --max-growth 10% --markdown >"$tmp/comment.md" ||
    status=$?
else
  node dist/cli.js check examples/busybox-os.tar --baseline docker-archive:examples/hello-scratch.tar \
    --max-size 2MB --max-growth 10% --markdown >"$tmp/comment.md" || status=$?
fi
[ "$status" -le 1 ] || { echo "render-comment: slimgate check failed ($status)" >&2; exit "$status"; }

cmark-gfm --unsafe -e table -e strikethrough -e autolink -e tagfilter -e tasklist "$tmp/comment.md" >"$tmp/body.html"
{
  cat <<EOF
<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://$PWD/$css">
<style>
  body { margin: 0; background: #fff; }
  .comment { width: 880px; margin: 16px; border: 1px solid #d1d9e0; border-radius: 6px; }
  .comment-header { padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0;
    border-radius: 6px 6px 0 0; font: 14px -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
    color: #59636e; }
  .comment-header b { color: #1f2328; }
  .markdown-body { padding: 16px; font-size: 14px; }
</style></head>
<body><div class="comment">
<div class="comment-header"><b>github-actions</b> <span>bot</span> commented</div>
<article class="markdown-body">
EOF
  cat "$tmp/body.html"
  echo '</article></div>'
  echo '<script>document.title = String(document.documentElement.scrollHeight + 16)</script></body></html>'
} >"$tmp/page.html"

# Measure the page at the screenshot's width (its script puts the height in the title), then shoot exactly
# that height.
chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$tmp/profile" --hide-scrollbars)
height="$("${chrome[@]}" --window-size=912,600 --dump-dom "file://$tmp/page.html" 2>/dev/null |
  sed -n 's:.*<title>\([0-9]*\)</title>.*:\1:p' | head -1)"
height="${height:-1400}"

mkdir -p "$(dirname "$out")"
"${chrome[@]}" --window-size="912,$height" --screenshot="$out" "file://$tmp/page.html" 2>/dev/null
echo "wrote $out (912x$height)"
