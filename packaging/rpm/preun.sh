# shellcheck shell=sh
# %preun of creek (.rpm): on erase (not upgrade), stop and disable.
if [ "$1" -eq 0 ]; then
	systemctl --no-reload disable --now creekd.service >/dev/null 2>&1 || :
fi
