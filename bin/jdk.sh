# Sourced by bin/cella, bin/test and bin/bench: defines find_jdk, which prints the home of a JDK
# 21 or newer (with javac, since Maven may need to compile): $JAVA_HOME, the `java` on PATH, then
# /usr/lib/jvm/* (newest version first). It prints nothing and fails if there is none.
#
# It runs on every `bin/cella` start, so it stops at the first JDK that will do and reads a JDK's
# version from its `release` file where it has one: starting `java -version` costs a JVM start
# (20-50 ms each, several when every JDK under /usr/lib/jvm was asked).

# Prints the major version of the java binary $1 (17, 21, 25...), or nothing if it is not known.
java_major() {
    local home="${1%/bin/java}" line version=
    if [[ "$home" != "$1" && -f "$home/release" ]]; then
        while IFS= read -r line; do
            if [[ "$line" == JAVA_VERSION=* ]]; then
                version="${line#JAVA_VERSION=}"
                version="${version//\"/}"
                break
            fi
        done < "$home/release"
    fi
    if [[ -z "$version" ]]; then
        line="$("$1" -version 2>&1 | grep -m1 -E 'version "[^"]+"')" || return 0
        version="${line#*version \"}"
        version="${version%%\"*}"
    fi
    version="${version#1.}"          # 1.8.0_x -> 8.0_x
    echo "${version%%[.+_-]*}"
}

# True if $1 is the home of a JDK 21+ whose java runs.
usable_jdk() {
    local major
    [[ -x "$1/bin/java" ]] || return 1
    major="$(java_major "$1/bin/java")"
    [[ -n "$major" ]] && ((major >= 21))
}

# Prints the home of a JDK 21+ (with javac, since Maven may need to compile), or fails.
find_jdk() {
    local candidate major dir
    if [[ -n "${JAVA_HOME:-}" ]] && usable_jdk "$JAVA_HOME"; then
        echo "$JAVA_HOME"
        return 0
    fi
    if command -v java >/dev/null 2>&1; then
        candidate="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
        if usable_jdk "$candidate"; then
            echo "$candidate"
            return 0
        fi
    fi
    # Newest first: sort the folders by the version the java binary reports.
    local -a found=()
    for dir in /usr/lib/jvm/*/; do
        dir="${dir%/}"
        [[ -x "$dir/bin/java" && ! -L "$dir" ]] || continue
        major="$(java_major "$dir/bin/java")"
        [[ -n "$major" ]] && ((major >= 21)) && found+=("$major $dir")
    done
    ((${#found[@]} > 0)) || return 1
    printf '%s\n' "${found[@]}" | sort -rn | head -n 1 | cut -d' ' -f2-
}
