# Sourced by bin/cella and bin/test: defines find_jdk, which prints the home of a JDK 21 or
# newer (with javac, since Maven may need to compile): $JAVA_HOME, the `java` on PATH, then
# /usr/lib/jvm/* (newest version first). It prints nothing and fails if there is none.

# Prints the major version of the java binary $1 (17, 21, 25...), or nothing if it does not run.
java_major() {
    local line version
    line="$("$1" -version 2>&1 | grep -m1 -E 'version "[^"]+"')" || return 0
    version="${line#*version \"}"
    version="${version%%\"*}"
    version="${version#1.}"          # 1.8.0_x -> 8.0_x
    echo "${version%%[.+_-]*}"
}

# Prints the home of a JDK 21+ (with javac, since Maven may need to compile), or fails.
find_jdk() {
    local candidate major
    local -a candidates=()
    if [[ -n "${JAVA_HOME:-}" ]]; then
        candidates+=("$JAVA_HOME")
    fi
    if command -v java >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    # Newest first: sort the folders by the version the java binary reports.
    local dir
    local -a found=()
    for dir in /usr/lib/jvm/*/; do
        dir="${dir%/}"
        [[ -x "$dir/bin/java" && ! -L "$dir" ]] || continue
        major="$(java_major "$dir/bin/java")"
        [[ -n "$major" ]] && found+=("$major $dir")
    done
    if ((${#found[@]} > 0)); then
        while read -r _ dir; do
            candidates+=("$dir")
        done < <(printf '%s\n' "${found[@]}" | sort -rn)
    fi
    for candidate in "${candidates[@]}"; do
        [[ -x "$candidate/bin/java" ]] || continue
        major="$(java_major "$candidate/bin/java")"
        if [[ -n "$major" ]] && ((major >= 21)); then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}
