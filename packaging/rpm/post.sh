# shellcheck shell=sh
# %post of creek (.rpm): account, directories, service preset.
systemd-sysusers /usr/lib/sysusers.d/creek.conf || :
systemd-tmpfiles --create /usr/lib/tmpfiles.d/creek.conf || :
chown root:creek /etc/creek/creek.conf || :
chmod 0640 /etc/creek/creek.conf || :
if [ "$1" -eq 1 ]; then
	systemctl --no-reload preset creekd.service >/dev/null 2>&1 || :
fi
