#!/usr/bin/env bash
# Installs OpenSearch plugins from Maven Central into an unpacked distribution, before it starts.
#
#   scripts/opensearch_plugins.sh <distribution dir> [plugin ...]     (default plugin: knn)
#
# Plugins:
#   knn    org.opensearch.plugin:opensearch-knn:<server version>.0:zip, installed with
#          `bin/opensearch-plugin install --batch file://...`. The k-NN plugin extends the Painless
#          scripting module, which the integ-test distribution leaves out, so the module is installed
#          first from org.opensearch.plugin:lang-painless:<server version> and its runtime
#          dependencies (antlr4, asm, the painless SPI), fetched with `mvn dependency:copy-dependencies`.
#
# Idempotent: an installed plugin or module is left alone, so this can run before every start. A
# plugin must be built for exactly the server's version; when Maven Central has no build for it the
# script stops and says which coordinate failed.
#
# The zips on Maven Central carry the plugin's Java code only, not the JNI libraries of the faiss and
# nmslib engines (those ship in the full OpenSearch distribution). The Lucene engine needs none of
# them; `status` below reports what the node can use.
#
# Environment: AISLE_CACHE (download cache, default <repo>/.cache; files land in .../opensearch).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${AISLE_CACHE:-$root/.cache}/opensearch"

say() { echo "opensearch-plugins: $*" >&2; }
die() { say "$*"; exit 1; }

[ $# -ge 1 ] || die "usage: $0 <distribution dir> [knn ...]"
home="$(cd "$1" && pwd)" || die "no such directory: $1"
shift
[ -x "$home/bin/opensearch-plugin" ] || die "$home is not an OpenSearch distribution (no bin/opensearch-plugin)"

server_jar="$(find "$home/lib" -maxdepth 1 -name 'opensearch-[0-9]*.jar' | head -n 1)"
[ -n "$server_jar" ] || die "cannot tell the server version: no lib/opensearch-<version>.jar in $home"
version="$(basename "$server_jar" .jar)"
version="${version#opensearch-}"

mvn_fetch() {
    # mvn_fetch <groupId:artifactId:version[:type]> <output dir>
    mvn -q dependency:copy -Dartifact="$1" -DoutputDirectory="$2" >"$cache/mvn.log" 2>&1 || {
        grep -E "ERROR" "$cache/mvn.log" | head -n 3 >&2
        die "could not fetch $1 from Maven Central"
    }
}

install_painless() {
    local module="$home/modules/lang-painless"
    [ -f "$module/plugin-descriptor.properties" ] && return 0
    local tmp
    tmp="$(mktemp -d "$cache/painless.XXXXXX")"
    cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>aisle.local</groupId>
  <artifactId>lang-painless-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.opensearch.plugin</groupId>
      <artifactId>lang-painless</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
EOF
    say "fetching org.opensearch.plugin:lang-painless:$version and its runtime dependencies"
    mvn -q -f "$tmp/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$tmp/jars" >"$cache/mvn.log" 2>&1 || {
        grep -E "ERROR" "$cache/mvn.log" | head -n 3 >&2
        die "could not fetch org.opensearch.plugin:lang-painless:$version from Maven Central"
    }
    mkdir -p "$tmp/module"
    # Only the module's own libraries are kept: the server's jars (which the SPI pulls in) are in lib/
    # already, and a second copy is "jar hell". Plugins that extend Painless (k-NN) see its SPI through
    # the module's class loader.
    mv "$tmp"/jars/lang-painless-*.jar "$tmp"/jars/opensearch-scripting-painless-spi-*.jar \
        "$tmp"/jars/antlr4-runtime-*.jar "$tmp"/jars/asm-*.jar "$tmp/module/"
    cat >"$tmp/module/plugin-descriptor.properties" <<EOF
description=Painless scripting language (needed by plugins that extend it, such as k-NN)
version=$version
name=lang-painless
classname=org.opensearch.painless.PainlessPlugin
java.version=11
opensearch.version=$version
extended.plugins=
has.native.controller=false
EOF
    # Painless compiles scripts to classes at run time: it needs its own class loaders.
    cat >"$tmp/module/plugin-security.policy" <<EOF
grant {
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
EOF
    chmod -R a+rX "$tmp/module"
    mv "$tmp/module" "$module"
    rm -rf "$tmp"
}

install_knn() {
    [ -f "$home/plugins/opensearch-knn/plugin-descriptor.properties" ] && return 0
    install_painless
    local coordinate="org.opensearch.plugin:opensearch-knn:$version.0:zip"
    local zip="$cache/opensearch-knn-$version.0.zip"
    if [ ! -f "$zip" ]; then
        say "fetching $coordinate"
        mvn_fetch "$coordinate" "$cache"
    fi
    say "installing opensearch-knn $version.0 into $home"
    local java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
    JAVA_HOME="$java_home" OPENSEARCH_PATH_CONF="$home/config" \
        "$home/bin/opensearch-plugin" install --batch "file://$zip" >&2 \
        || die "bin/opensearch-plugin install failed for $zip"
    chmod -R a+rX "$home/plugins/opensearch-knn"
}

command -v mvn >/dev/null || die "needs Maven (mvn) to fetch plugins from Maven Central"
command -v java >/dev/null || die "needs Java 17+ on PATH"
mkdir -p "$cache"
exec 9>"$cache/.plugins.lock"
flock 9
[ $# -gt 0 ] || set -- knn
for plugin in "$@"; do
    case "$plugin" in
        knn) install_knn ;;
        *) die "unknown plugin '$plugin' (known: knn)" ;;
    esac
done
flock -u 9
