#!/bin/sh
# packaging/package.sh: everything `make package` ships, into build/package/:
#   creek_<version>_amd64.deb        Debian 12
#   creek-<version>-1.x86_64.rpm     RPM (see docs/install.md for where it fits)
#   creek-offline-<version>-bookworm-amd64.tar.gz
#                                    a signed apt repository with the .deb and
#                                    every runtime dependency a minimal Debian
#                                    12 lacks, plus install.sh
#   creek-archive-keyring.gpg        the key the repository and .rpm are signed with
#
# Signing: CREEK_GNUPGHOME names a GnuPG home holding the release key
# (CREEK_SIGNING_KEY selects it, default: its first secret key). Without
# one, a development key is made in build/package/gnupg and the output says
# so: fine for tests, not for customers.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build/package"
build="$root/build"
mkdir -p "$out"

engine=$("$root/packaging/engine/build.sh")
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCREEK_ENGINE_PREFIX="$engine" >/dev/null
cmake --build "$build" -j "$(nproc)" --target creekd creekctl
(cd "$root/web/ui" && npm run --silent build)
rm -f "$out"/creek_*.deb "$out"/creek-*.rpm "$out"/creek-offline-*.tar.gz
(cd "$build" && cpack -B "$out/cpack" >/dev/null)
mv "$out"/cpack/creek_*.deb "$out"/cpack/creek-*.rpm "$out/"
rm -rf "$out/cpack"

# The signing key.
if [ -n "${CREEK_GNUPGHOME:-}" ]; then
	GNUPGHOME=$CREEK_GNUPGHOME
else
	GNUPGHOME="$out/gnupg"
	export GNUPGHOME
	if [ ! -d "$GNUPGHOME" ]; then
		mkdir -p "$GNUPGHOME"
		chmod 700 "$GNUPGHOME"
		gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key \
			"Creek development archive key <archive@creek.invalid>" ed25519 sign 0 2>&1 |
			sed 's/^/package: /' >&2
	fi
	echo "package: signing with the DEVELOPMENT key in $GNUPGHOME (set CREEK_GNUPGHOME for releases)" >&2
fi
export GNUPGHOME
key=${CREEK_SIGNING_KEY:-$(gpg --batch --list-secret-keys --with-colons |
	awk -F: '$1 == "fpr" { print $10; exit }')}
[ -n "$key" ] || { echo "package: no signing key in $GNUPGHOME" >&2; exit 1; }
gpg --batch --yes --export "$key" >"$out/creek-archive-keyring.gpg"

rpmsign --define "__gpg $(command -v gpg)" --define "_gpg_name $key" \
	--define "_gpg_path $GNUPGHOME" --addsign "$out"/creek-*.rpm >/dev/null

deb=$(ls "$out"/creek_*_amd64.deb)
"$root/packaging/offline-bundle.sh" "$deb" "$key" "$out"
find "$out" -maxdepth 1 -type f -printf 'package: %f (%s bytes)\n' | sort >&2
