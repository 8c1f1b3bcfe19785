#!/bin/bash -e
# pi-gen, inside the image: depotline in its own virtual environment from the project's wheel
# and locked requirements, the user it runs as, its directories and units.
install_dir=/tmp/depotline-install
venv=/opt/depotline/venv

# --system-site-packages: the GPIO library comes from Raspberry Pi OS (python3-rpi-lgpio),
# matched to the kernel; everything else is pinned in the venv and shadows the system's.
python3 -m venv --system-site-packages "${venv}"
"${venv}/bin/pip" install --no-cache-dir --disable-pip-version-check --upgrade pip
"${venv}/bin/pip" install --no-cache-dir --disable-pip-version-check \
    -r "${install_dir}/requirements.lock"
# The wheel's only dependency beyond the lock is pjsua2-python, and only on x86_64, where its
# official wheel exists; the pins above already satisfy everything else.
"${venv}/bin/pip" install --no-cache-dir --disable-pip-version-check "${install_dir}"/depotline-*.whl

if ! "${venv}/bin/python" -c 'import pjsua2' 2>/dev/null; then
    # No wheel for this machine (the Pi): build pjproject and its binding from the release
    # tarball the build host supplied (image_build/build.sh, PJPROJECT_TARBALL).
    build="${install_dir}/pjsua2/build.sh"
    tarball="${install_dir}/pjproject-2.15.1.tar.gz"
    for needed in "${build}" "${tarball}"; do
        if [ ! -f "${needed}" ]; then
            echo "pjsua2 has no wheel for $(uname -m) and ${needed} is missing" >&2
            exit 1
        fi
    done
    work="$(mktemp -d)"
    WORK="${work}" sh "${build}" "${tarball}" "${venv}"
    rm -rf "${work}"
    "${venv}/bin/python" -c 'import pjsua2'
fi
ln -sf "${venv}/bin/depotline" /usr/local/bin/depotline

# the user (in dialout, gpio, audio) and its directories, as systemd will at boot
systemd-sysusers /usr/lib/sysusers.d/depotline.conf
systemd-tmpfiles --create /usr/lib/tmpfiles.d/depotline.conf
chown root:depotline /etc/depotline /etc/depotline/depotline.toml
chmod 750 /etc/depotline
chmod 640 /etc/depotline/depotline.toml

# arms the first-boot setup page (depotline-firstboot.service puts the setup code in it)
install -o depotline -g depotline -m 640 /dev/null /var/lib/depotline/first-boot

systemctl enable depotline.service depotline-backup.timer depotline-firstboot.service
systemctl enable systemd-timesyncd.service
rm -rf "${install_dir}"
