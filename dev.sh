#!/usr/bin/env bash
# cunicu4j developer entry point: the README's two commands are `./dev.sh demo` and `./dev.sh test`.
#
#   ./dev.sh demo   install what the machine lacks (Debian packages), build, run `cunicu4j demo`:
#                   a three-peer mesh through NATs in network namespaces (root; Ctrl-C ends it;
#                   extra arguments go to the demo, e.g. ./dev.sh demo --once)
#   ./dev.sh test   run the whole test suite (unit, kernel and lab tests)
#   ./dev.sh deps   install the Debian packages the project and its whole test suite use
#   ./dev.sh build  only build (no tests): cli/target/cunicu4j.jar
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages. What the demo runs on: iproute2 (namespaces, veths, bridges), netfilter
# (the NAT routers), coturn (STUN/TURN), ping, and the external WireGuard and its tool. What
# the tests add: iperf3, tcpdump, and a JDK 17 that the launcher must refuse.
DEMO_PACKAGES=(wireguard-go wireguard-tools nftables libnftables1 iptables iproute2 coturn iputils-ping)
TEST_PACKAGES=("${DEMO_PACKAGES[@]}" iperf3 tcpdump openjdk-17-jre-headless)

die() { echo "dev.sh: $*" >&2; exit 1; }

deps() { # installs the packages named as arguments that are not installed yet
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "dev.sh: Debian packages present: $*"
        return
    fi
    [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root: run as root (or: sudo apt-get install ${missing[*]})"
    echo "dev.sh: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

java_major() { # prints the major version of the java binary $1, or nothing
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n1
}

find_jdk() {
    local candidates=()
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*)
    for home in "${candidates[@]}"; do
        [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
        local major; major=$(java_major "$home/bin/java")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            export JAVA_HOME="$home"
            return
        fi
    done
    die "no JDK 25 found (looked at JAVA_HOME and /usr/lib/jvm): install one, e.g. Temurin 25, and set JAVA_HOME"
}

mvnw() {
    find_jdk
    export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
    ./mvnw -B "$@"
}

build() {
    mvnw -q -DskipTests package
}

demo() {
    deps "${DEMO_PACKAGES[@]}"
    build
    echo
    # alice and bob behind endpoint-independent NATs, carol behind a symmetric one, a
    # signaling server and coturn: progress, status, a ping matrix; Ctrl-C removes it all
    exec bin/cunicu4j demo "$@"
}

tests() {
    mvnw verify
}

case "${1:-}" in
    demo) shift; demo "$@" ;;
    test) tests ;;
    deps) deps "${TEST_PACKAGES[@]}" ;;
    build) build ;;
    *) echo "usage: ./dev.sh demo | test | deps | build" >&2; exit 2 ;;
esac
