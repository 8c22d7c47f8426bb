#!/usr/bin/env bash
# Where an idle connection's bytes go: a fresh daemon (the jar, the packaged launcher's JVM flags, plus
# native memory tracking) warmed up, then its heap by class (jcmd GC.class_histogram, which runs a full GC
# first) and its native memory by category (jcmd VM.native_memory) before and while N mutual-TLS
# connections are held (each made a full handshake and one request, then waits); prints the difference per
# connection, largest first, beside the RSS per connection of the same hold. Bounded; asserts nothing.
#
#   bench/idle-histogram.sh [N] [ROWS]     (default 5000 connections, 30 classes)
#   BENCH_JAR=/tmp/old/securecmdd.jar bench/idle-histogram.sh ...   another build
#
# The histogram counts reachable objects only (after the full GC), so it is the heap an idle connection
# keeps; RSS also has what is outside the heap (thread stacks, the JVM's own structures, malloc'd memory
# of the TLS provider or the kernel interface) and heap pages touched by garbage since the last GC.
# shellcheck source=bench/idle-lib.sh
. "$(dirname "$0")/idle-lib.sh"
n=${1:-5000} rows=${2:-30}

idle_start_daemon $(( n + 1000 )) -XX:NativeMemoryTracking=summary
idle_warm_up 3000
jcmd "$idle_daemon" GC.class_histogram > "$idle_work/histo.before"
jcmd "$idle_daemon" VM.native_memory baseline > /dev/null
rss0=$(rss_kib "$idle_daemon")
opening=$(idle_hold "$n" $(( n / 20 + 300 )))
rss1=$(rss_kib "$idle_daemon")
held=$(idle_open_connections)
jcmd "$idle_daemon" GC.class_histogram > "$idle_work/histo.while"
jcmd "$idle_daemon" VM.native_memory summary.diff > "$idle_work/nmt.diff"
rss2=$(rss_kib "$idle_daemon")
la=$(loadavg)
idle_release

echo "idle-histogram: build $IDLE_BUILD; $n asked, $held held (the daemon's" \
  "count), opened in $opening s; $(date -u +%FT%TZ); load average $la"
echo "daemon JVM flags: $IDLE_FLAGS ${BENCH_DAEMON_OPTS:-} -XX:NativeMemoryTracking=summary"
python3 - "$idle_work/histo.before" "$idle_work/histo.while" "$idle_work/nmt.diff" "${held:-0}" "$rows" \
  "$rss0" "$rss1" "$rss2" <<'EOF'
import re, sys
before, during, nmt, held, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
rss0, rss1, rss2 = map(int, sys.argv[6:9])
h = max(held, 1)

def histogram(path):
    out = {}
    for line in open(path):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            out[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return out

b, d = histogram(before), histogram(during)
diff = []
for name in set(b) | set(d):
    (n0, s0), (n1, s1) = b.get(name, (0, 0)), d.get(name, (0, 0))
    diff.append((s1 - s0, n1 - n0, name))
diff.sort(reverse=True)
total = sum(x[0] for x in diff)
print(f"\nRSS: {rss0 / 1024:.0f} → {rss1 / 1024:.0f} MiB at held ({(rss1 - rss0) / h:.1f} KiB per connection), "
      f"{rss2 / 1024:.0f} MiB after the second full GC ({(rss2 - rss0) / h:.1f} KiB per connection)")
print(f"reachable heap (after a full GC): {total / h:,.0f} B per connection ({total / h / 1024:.1f} KiB)\n")
print("| class | bytes per connection | instances per connection | share of the heap's |")
print("|---|---:|---:|---:|")
for size, count, name in diff[:rows]:
    print(f"| `{name}` | {size / h:,.0f} | {count / h:.2f} | {100 * size / total if total else 0:.1f} % |")
rest = diff[rows:]
print(f"| everything else ({len([x for x in rest if x[0]])} classes) | {sum(x[0] for x in rest) / h:,.0f} | "
      f"{sum(x[1] for x in rest) / h:.2f} | {100 * sum(x[0] for x in rest) / total if total else 0:.1f} % |")

print("\nNative memory (jcmd VM.native_memory summary.diff), committed, per connection:\n")
print("| category | committed Δ | per connection |")
print("|---|---:|---:|")
for line in open(nmt):
    m = re.match(r"-\s+(.+?) \(reserved=\d+KB(?: [+-]\d+KB)?, committed=\d+KB ([+-]\d+)KB\)", line.strip())
    if m and int(m.group(2)) != 0:
        kb = int(m.group(2))
        print(f"| {m.group(1).strip()} | {kb:+,} KiB | {kb * 1024 / h:+,.0f} B |")
EOF
echo "load average after: $(loadavg)"
