import fs from 'node:fs';
import path from 'node:path';

/**
 * The demo's disks are folders on whatever filesystem holds the sandbox: never full, and a user
 * who is not root cannot mount a small filesystem for each. goplot reads a disk's capacity with
 * `df` when disk_space is `df`, so the sandbox puts this `df` first on the demo's PATH: for a
 * folder in its table it answers as `df -Pk` would for a disk of the declared size holding that
 * folder's files (sparse files at their full size), for anything else it runs the real df. Every
 * part of goplot then measures, fills and frees these disks through its ordinary code path.
 */
const DF_SCRIPT = `#!/usr/bin/env bash
# goplot demo: disks of a declared size (see lib/demo/demo-df.ts); table lines '<dir> <total_kib>'
set -u
table="$(dirname "$0")/disk-sizes"
real_df() {
  PATH=$(printf '%s' "$PATH" | tr ':' '\\n' | grep -vxF "$(cd "$(dirname "$0")" && pwd)" | paste -sd: -)
  exec df "$@"
}
paths=()
for arg in "$@"; do
  case "$arg" in
    -Pk|-kP|-P|-k|--) ;;
    -*) real_df "$@" ;;
    *) paths+=("$arg") ;;
  esac
done
(( \${#paths[@]} > 0 )) || real_df "$@"
lines=()
for path in "\${paths[@]}"; do
  best='' total=''
  while IFS= read -r line; do
    # the dir may hold spaces: the size is the last word
    prefix=\${line% *} size=\${line##* }
    if [[ "$path" == "$prefix" || "$path" == "$prefix/"* ]] && (( \${#prefix} > \${#best} )); then
      best=$prefix total=$size
    fi
  done < "$table"
  [[ -n "$best" ]] || real_df "$@"
  used=$(find "$best" -type f -printf '%s\\n' 2>/dev/null | awk '{ s += $1 } END { printf "%d", s / 1024 }')
  avail=$(( total > used ? total - used : 0 ))
  lines+=("demo-disk $total $used $avail $(( (used * 100 + total - 1) / total ))% $best")
done
echo 'Filesystem     1024-blocks      Used Available Capacity Mounted on'
printf '%s\\n' "\${lines[@]}"
`;

/** The bytes the files under dir take at their full (sparse) size. */
export function filesBytes(dir: string): number {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) bytes += filesBytes(full);
    else if (entry.isFile()) bytes += fs.statSync(full).size;
  }
  return bytes;
}

/**
 * Writes the sandbox's df into binDir with each disk's size (bytes, rounded up to KiB); returns
 * binDir, to put first on PATH.
 */
export function writeDemoDf(binDir: string, sizes: ReadonlyArray<{ diskDir: string; bytes: number }>): string {
  fs.mkdirSync(binDir, { recursive: true });
  const table = sizes.map(({ diskDir, bytes }) => `${diskDir} ${Math.ceil(bytes / 1024)}\n`).join('');
  for (const [name, text] of [
    ['disk-sizes', table],
    ['df', DF_SCRIPT],
  ] as const) {
    const temporary = path.join(binDir, `.${name}.new`);
    fs.writeFileSync(temporary, text, { mode: name === 'df' ? 0o755 : 0o644 });
    fs.renameSync(temporary, path.join(binDir, name));
  }
  return binDir;
}
