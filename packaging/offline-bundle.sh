#!/bin/sh
# packaging/offline-bundle.sh DEB KEY OUTDIR
#
# Make creek-offline-<version>-bookworm-amd64.tar.gz: a flat apt repository
# holding DEB and every package it needs on an *empty* Debian 12 (apt
# resolves against an empty dpkg status, so the closure installs on any
# bookworm system, however minimal), signed with KEY (in $GNUPGHOME), plus
# install.sh, which installs from it with no network at all.
#
# The dependencies come from this machine's configured Debian 12 sources.
set -eu

deb=$1
key=$2
out=$3
version=$(dpkg-deb -f "$deb" Version)
name="creek-offline-$version-bookworm-amd64"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

stage="$work/$name"
repo="$stage/repo"
mkdir -p "$repo/pool" "$work/state/lists/partial" "$work/cache/archives/partial"
touch "$work/state/status" # nothing installed: download the whole closure

cp "$deb" "$work/"
apt-get -q -y install --download-only --no-install-recommends \
	-o Dir::State::status="$work/state/status" -o Dir::Cache="$work/cache" \
	-o Dir::Cache::archives="$repo/pool" -o Debug::NoLocking=1 \
	-o APT::Sandbox::User=root "$work/$(basename "$deb")" >&2
rm -rf "$repo/pool/partial" "$repo/pool/lock"
cp "$deb" "$repo/pool/"

(
	cd "$repo"
	dpkg-scanpackages --multiversion pool /dev/null >Packages 2>/dev/null
	gzip -9nk Packages
	# Written outside the folder it describes, or it would list itself.
	apt-ftparchive -o APT::FTPArchive::Release::Origin=Creek \
		-o APT::FTPArchive::Release::Label=Creek \
		-o APT::FTPArchive::Release::Suite=creek \
		-o APT::FTPArchive::Release::Codename=creek release . >"$work/Release"
	mv "$work/Release" Release
	gpg --batch --yes -u "$key" --clearsign -o InRelease Release
	gpg --batch --yes -u "$key" -abs -o Release.gpg Release
)
gpg --batch --yes --export "$key" >"$stage/creek-archive-keyring.gpg"

cat >"$stage/install.sh" <<'INSTALL'
#!/bin/sh
# Install or upgrade Creek from this folder, with no network: apt sees only
# this signed repository. Run as root: sh install.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
install -D -m 0644 "$here/creek-archive-keyring.gpg" /usr/share/keyrings/creek-archive-keyring.gpg
list=$(mktemp)
trap 'rm -f "$list"' EXIT
echo "deb [signed-by=/usr/share/keyrings/creek-archive-keyring.gpg] file:$here/repo ./" >"$list"
opts="-o Dir::Etc::SourceList=$list -o Dir::Etc::SourceParts=/dev/null -o APT::Sandbox::User=root"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # opts is a list of options
apt-get $opts update
# shellcheck disable=SC2086
apt-get $opts install -y --no-install-recommends creek
echo "Creek $(dpkg-query -W -f='${Version}' creek) is installed. Next: /usr/share/doc/creek/install.md"
INSTALL
chmod 755 "$stage/install.sh"

cat >"$stage/README.txt" <<README
Creek $version, offline installer for Debian 12 (amd64).

  sudo sh install.sh

installs (or upgrades) Creek and every package it needs from the signed
repository in repo/, with no network. Packages: $(find "$repo/pool" -name '*.deb' | wc -l).
Read /usr/share/doc/creek/install.md after installing.
README

(cd "$stage" && sha256sum install.sh creek-archive-keyring.gpg repo/Release repo/InRelease \
	repo/Packages >SHA256SUMS)
tar -C "$work" -czf "$out/$name.tar.gz" "$name"
echo "offline bundle: $out/$name.tar.gz ($(find "$repo/pool" -name '*.deb' | wc -l) packages)" >&2
