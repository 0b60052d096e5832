# shellcheck shell=sh
# %postun of creek (.rpm): on upgrade, restart the new binary. Data in
# /var/lib/creek is never removed by the package.
systemctl daemon-reload >/dev/null 2>&1 || :
if [ "$1" -ge 1 ]; then
	systemctl try-restart creekd.service >/dev/null 2>&1 || :
fi
