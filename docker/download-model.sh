#!/usr/bin/env bash
# Downloads MongoDB/mdbr-leaf-mt (the files leaf-embed reads) into a directory, e.g. the model
# volume of docker/docker-compose.yml or docker/k8s/model-download.yaml. Run with --help.
set -euo pipefail

REPO="MongoDB/mdbr-leaf-mt"
ENDPOINT="${HF_ENDPOINT:-https://huggingface.co}"
REVISION="main"
METHOD="auto"
VARIANTS=()
TARGET=""

usage() {
  cat <<USAGE
Usage: download-model.sh [options] [DIR]

Downloads ${REPO} into DIR (default: models/mdbr-leaf-mt) with the first tool found:
'hf download', 'huggingface-cli download', git + git-lfs, or curl/wget of the single files.
Fetches only what leaf-embed reads: modules.json, 1_Pooling/config.json, 2_Dense/config.json,
2_Dense/model.safetensors, config.json, config_sentence_transformers.json,
sentence_bert_config.json, tokenizer.json, tokenizer_config.json, vocab.txt and the chosen ONNX
graphs under onnx/ with their external weights (*.onnx_data). Checks the files afterwards and
exits 0 at once when DIR already holds a complete download (safe to run again).

Options:
  --variant NAME    ONNX graph: fp32 (onnx/model.onnx, default), fp16, int8 (= q8,
                    onnx/model_quantized.onnx), q4, q4f16, or a file name under onnx/.
                    Repeat for several (model.onnx-variant picks one at run time).
  --revision REV    a branch, tag or commit of the model repository (default: main)
  --method M        auto (default), hf, huggingface-cli, git or curl
  --force           download again even if DIR looks complete
  -h, --help        this text

Environment: HF_TOKEN (sent as a bearer token if set), HF_ENDPOINT (default https://huggingface.co).
Exit codes: 0 done, 1 download or check failed, 2 wrong usage.
USAGE
}

die() { echo "download-model.sh: $*" >&2; exit 1; }

FORCE=false
while [ "$#" -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --variant) [ "$#" -ge 2 ] || { usage >&2; exit 2; }; VARIANTS+=("$2"); shift 2 ;;
    --revision) [ "$#" -ge 2 ] || { usage >&2; exit 2; }; REVISION="$2"; shift 2 ;;
    --method) [ "$#" -ge 2 ] || { usage >&2; exit 2; }; METHOD="$2"; shift 2 ;;
    --force) FORCE=true; shift ;;
    -*) echo "download-model.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [ -z "$TARGET" ] || { echo "download-model.sh: one DIR only" >&2; exit 2; }; TARGET="$1"; shift ;;
  esac
done
TARGET="${TARGET:-models/mdbr-leaf-mt}"
[ "${#VARIANTS[@]}" -gt 0 ] || VARIANTS=(fp32)

onnx_file() {
  case "$1" in
    fp32) echo model.onnx ;;
    fp16) echo model_fp16.onnx ;;
    int8|q8) echo model_quantized.onnx ;;
    q4) echo model_q4.onnx ;;
    q4f16) echo model_q4f16.onnx ;;
    *.onnx) echo "$1" ;;
    *) echo "download-model.sh: unknown --variant $1 (fp32, fp16, int8, q4, q4f16 or a .onnx file name)" >&2; exit 2 ;;
  esac
}

REQUIRED=(modules.json 1_Pooling/config.json 2_Dense/config.json 2_Dense/model.safetensors config.json
          config_sentence_transformers.json sentence_bert_config.json tokenizer.json tokenizer_config.json
          vocab.txt)
GRAPHS=()
for v in "${VARIANTS[@]}"; do
  GRAPHS+=("onnx/$(onnx_file "$v")")
done

# A graph whose weights are external keeps them in <graph>_data; the hub's exports of this model
# do, but a graph that holds its own weights has none. Tiny graphs cannot hold 22M parameters.
EXTERNAL_DATA_MIN_GRAPH_BYTES=$((8 * 1024 * 1024))

file_size() { wc -c < "$1" | tr -d ' '; }

is_lfs_pointer() { head -c 100 "$1" | grep -q '^version https://git-lfs'; }

# Prints what is missing or wrong; returns 1 if anything is.
check() {
  local dir="$1" ok=0 f
  for f in "${REQUIRED[@]}" "${GRAPHS[@]}"; do
    if [ ! -s "$dir/$f" ]; then
      echo "  missing or empty: $f"; ok=1
    elif is_lfs_pointer "$dir/$f"; then
      echo "  a Git LFS pointer, not the file (run 'git lfs pull' or another method): $f"; ok=1
    fi
  done
  for f in "${GRAPHS[@]}"; do
    if [ -s "$dir/$f" ] && [ ! -s "$dir/${f}_data" ] \
        && [ "$(file_size "$dir/$f")" -lt "$EXTERNAL_DATA_MIN_GRAPH_BYTES" ]; then
      echo "  $f is a graph without its weights file ${f}_data"; ok=1
    elif [ -s "$dir/${f}_data" ] && is_lfs_pointer "$dir/${f}_data"; then
      echo "  a Git LFS pointer, not the file: ${f}_data"; ok=1
    fi
  done
  if [ -s "$dir/modules.json" ] && ! grep -q 'Dense' "$dir/modules.json"; then
    echo "  modules.json lists no Dense module: not the mdbr-leaf-mt layout"; ok=1
  fi
  return "$ok"
}

if [ "$FORCE" = false ] && [ -d "$TARGET" ] && check "$TARGET" >/dev/null; then
  echo "download-model.sh: $TARGET already holds ${REPO} (${GRAPHS[*]}); nothing to do"
  exit 0
fi

mkdir -p "$TARGET"

include_patterns() {
  local g
  printf '%s\n' "${REQUIRED[@]}"
  for g in "${GRAPHS[@]}"; do
    printf '%s\n' "$g" "${g}_data"
  done
}

download_hf() {  # $1 = hf | huggingface-cli
  local patterns=()
  mapfile -t patterns < <(include_patterns)
  "$1" download "$REPO" --revision "$REVISION" --local-dir "$TARGET" --include "${patterns[@]}"
}

download_git() {
  local tmp lfs_list
  tmp="$(mktemp -d "${TARGET%/}.git-XXXXXX")"
  trap 'rm -rf "$tmp"' RETURN
  GIT_LFS_SKIP_SMUDGE=1 git clone --quiet --no-checkout "$ENDPOINT/$REPO" "$tmp"
  git -C "$tmp" checkout --quiet "$REVISION"
  lfs_list="$(include_patterns | paste -sd, -)"
  git -C "$tmp" lfs pull --include "$lfs_list"
  local f
  while IFS= read -r f; do
    if [ -e "$tmp/$f" ]; then
      mkdir -p "$TARGET/$(dirname "$f")"
      cp "$tmp/$f" "$TARGET/$f"
    fi
  done < <(include_patterns)
}

fetch() {  # $1 = path in the repository; $2 = required | optional
  local url="$ENDPOINT/$REPO/resolve/$REVISION/$1" out="$TARGET/$1" auth=()
  mkdir -p "$(dirname "$out")"
  if command -v curl >/dev/null; then
    [ -z "${HF_TOKEN:-}" ] || auth=(-H "Authorization: Bearer $HF_TOKEN")
    if curl -fsSL --retry 3 "${auth[@]}" -o "$out.part" "$url"; then
      mv "$out.part" "$out"; return 0
    fi
  else
    [ -z "${HF_TOKEN:-}" ] || auth=(--header "Authorization: Bearer $HF_TOKEN")
    if wget -q --tries 3 "${auth[@]}" -O "$out.part" "$url"; then
      mv "$out.part" "$out"; return 0
    fi
  fi
  rm -f "$out.part"
  [ "$2" = optional ] || die "could not download $url"
}

download_curl() {
  local f g
  for f in "${REQUIRED[@]}"; do
    [ "$FORCE" = false ] && [ -s "$TARGET/$f" ] && ! is_lfs_pointer "$TARGET/$f" && continue
    fetch "$f" required
  done
  for g in "${GRAPHS[@]}"; do
    if [ "$FORCE" = true ] || [ ! -s "$TARGET/$g" ]; then fetch "$g" required; fi
    if [ "$FORCE" = true ] || [ ! -s "$TARGET/${g}_data" ]; then fetch "${g}_data" optional; fi
  done
}

if [ "$METHOD" = auto ]; then
  if command -v hf >/dev/null; then METHOD=hf
  elif command -v huggingface-cli >/dev/null; then METHOD=huggingface-cli
  elif command -v git >/dev/null && git lfs version >/dev/null 2>&1; then METHOD=git
  elif command -v curl >/dev/null || command -v wget >/dev/null; then METHOD=curl
  else die "needs one of: hf or huggingface-cli (pip install -U huggingface_hub), git with git-lfs, curl or wget"
  fi
fi
echo "download-model.sh: ${REPO}@${REVISION} -> $TARGET with $METHOD (${GRAPHS[*]})"
case "$METHOD" in
  hf|huggingface-cli) download_hf "$METHOD" ;;
  git) download_git ;;
  curl) download_curl ;;
  *) echo "download-model.sh: unknown --method $METHOD" >&2; exit 2 ;;
esac

if ! problems="$(check "$TARGET")"; then
  echo "download-model.sh: $TARGET is not complete:" >&2
  echo "$problems" >&2
  exit 1
fi
echo "download-model.sh: $TARGET holds ${REPO} (${GRAPHS[*]}); set model.dir: $TARGET"
