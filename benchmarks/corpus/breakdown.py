#!/usr/bin/env python3
"""Where one whole `cella run` spends its CPU (docs/performance.md, "What a first run is made of").

    benchmarks/corpus/breakdown.py JAR ENGINE PROGRAM-REGEX [CELLA OPTIONS...]

Runs each corpus program (programs.txt) twice with `java -XX:TieredStopAtLevel=1` (bin/cella's
C1 only) and the class-data archive JAR.jsa (made as bin/cella makes it, by a first unmeasured
run, if missing):
1. sampling /proc/PID/task/*/stat every 5 ms, so each thread's CPU is known at exit (the guest's
   stack-segment threads, HotSpot's C1 thread, GC threads, the main thread), with `--stats`,
   whose `startup` and `code` lines split the main thread (JVM, command line, module) and the
   guest's (generating and defining classes);
2. with JFR execution samples every 10 ms (-XX:+ShowHiddenFrames), to split what is left of the
   guest's thread between generated code running in HotSpot's bytecode interpreter and compiled.
Prints one row per program, CPU seconds. Needs $JAVA_HOME (JDK 21+) and Linux /proc.
"""
import collections, json, os, re, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
java_home = os.environ.get('JAVA_HOME', '/usr/lib/jvm/temurin-25-jdk-amd64')
java, jfr = f'{java_home}/bin/java', f'{java_home}/bin/jfr'
tick = os.sysconf('SC_CLK_TCK')
GEN = ('FunctionCompiler', 'org/objectweb/asm', 'Emitter', 'ConstantFlow', 'RegisterFlow', 'NanFlow', 'RegionPlan',
       'RegionEdges', 'JitClassWriter', 'StubArea')


def sampled(cmd):
    """Runs cmd; returns (CPU seconds per thread-name group, wall seconds, stderr)."""
    err = tempfile.TemporaryFile()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    last, t0 = {}, time.time()
    while p.poll() is None:
        try:
            for tid in os.listdir(f'/proc/{p.pid}/task'):
                try:
                    s = open(f'/proc/{p.pid}/task/{tid}/stat').read()
                except OSError:
                    continue
                f = s[s.rindex(')') + 2:].split()
                last[tid] = (s[s.index('(') + 1:s.rindex(')')], int(f[11]) + int(f[12]))
        except OSError:
            pass
        time.sleep(0.005)
    wall = time.time() - t0
    groups = collections.Counter()
    for name, t in last.values():
        groups[re.sub(r'[#\d]+$', '', name).strip()] += t / tick
    err.seek(0)
    return groups, wall, err.read().decode(errors='replace')


def guest_split(cmd):
    """Fractions of the guest threads' JFR samples: interpreted guest code, compiled guest code, generating, other."""
    with tempfile.TemporaryDirectory() as d:
        rec = f'{d}/r.jfr'
        subprocess.run(cmd[:1] + ['-XX:+UnlockDiagnosticVMOptions', '-XX:+ShowHiddenFrames',
                                  f'-XX:StartFlightRecording=filename={rec},settings=profile'] + cmd[1:],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        out = subprocess.run([jfr, 'print', '--json', '--events', 'jdk.ExecutionSample', '--stack-depth', '64', rec],
                             capture_output=True, text=True).stdout
    c = collections.Counter()
    for e in json.loads(out)['recording']['events']:
        v = e['values']
        if not (v['sampledThread']['javaName'] or '').startswith('cella-jit-segment'):
            continue
        frames = [(f['method']['type']['name'], f.get('type')) for f in v['stackTrace']['frames']]
        kind = 'other'
        for ty, _ in frames:
            if any(g in ty for g in GEN):
                kind = 'generate'
                break
            if '0x' in ty:  # a hidden class: generated guest code
                kind = 'interpreted' if frames[0][1] == 'Interpreted' else 'compiled'
                break
        c[kind] += 1
    n = sum(c.values()) or 1
    return {k: c[k] / n for k in ('interpreted', 'compiled', 'generate', 'other')}


def main():
    jar, engine, only, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    archive = jar + '.jsa'
    base = [java, '-XX:TieredStopAtLevel=1', '-Xlog:disable', '-XX:+DisplayVMOutputToStderr']
    if not os.path.exists(archive):
        # As bin/cella makes it: the first run writes it, trained on jit and auto (ArchiveTraining).
        subprocess.run(base + ['-XX:+AutoCreateSharedArchive', f'-XX:SharedArchiveFile={archive}',
                               '-Dcella.classArchive.training=true', '-jar', jar, 'run',
                               f'{here}/../../examples/hello.casm'], stdout=subprocess.DEVNULL)
    base += [f'-XX:SharedArchiveFile={archive}']
    print('| program | CPU | wall | main: JVM, command line | main: module | guest: class cache | guest: generate'
          ' | guest: define | guest: interpreted | guest: compiled | C1 | GC, other threads |')
    print('|---' * 12 + '|')
    for line in open(f'{here}/programs.txt'):
        if line.startswith('#') or '|' not in line:
            continue
        name, wasm, mount, args = [x.strip() for x in line.split('|')[:4]]
        if not re.fullmatch(only, name):
            continue
        m = [] if mount == '-' else ['--mount', f'{here}/{mount.split(":")[0]}:{mount.split(":", 1)[1]}']
        run = ['-jar', jar, 'run', '--engine', engine, *extra, *m, f'{here}/wasm/{wasm}', *args.split()]
        g, wall, err = sampled(base + run[:3] + ['--stats'] + run[3:])
        st = re.search(r'startup +JVM (-?\d+) ms, command line (-?\d+) ms, module (-?\d+) ms', err)
        cd = re.search(r'code +\d+ classes, \d+ KB: class cache (\d+) ms, generating (\d+) ms, defining (\d+) ms', err)
        mod = int(st.group(3)) / 1000 if st else 0
        cache, gen, dfn = (int(x) / 1000 for x in cd.groups()) if cd else (0, 0, 0)
        total = sum(g.values())
        main_thread = g.get('java', 0)
        guest = sum(v for k, v in g.items() if k.startswith('cella-jit-segm'))
        c1 = sum(v for k, v in g.items() if k.startswith('C1') or k.startswith('C2'))
        split = guest_split(base + run)
        # What the guest's threads did besides generating and defining, split by JFR's samples
        # (host calls, the runtime and the JDK code they run count with the guest code they serve).
        left = max(guest - cache - gen - dfn, 0)
        done = split['interpreted'] + split['compiled']
        gi = left * split['interpreted'] / done if done else 0
        print(f'| {name} | ' + ' | '.join(f'{x:.2f}' for x in (total, wall, main_thread - mod, mod, cache, gen, dfn, gi,
                                                                 left - gi, c1, total - main_thread - guest - c1))
              + ' |', flush=True)


main()
