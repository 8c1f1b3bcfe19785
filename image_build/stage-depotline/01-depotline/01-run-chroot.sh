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
"${venv}/bin/pip" install --no-cache-dir --disable-pip-version-check "${install_dir}"/depotline-*.whl

# pjsua2 from the pjproject release tarball the build host supplied (image_build/build.sh,
# PJPROJECT_TARBALL), with depotline's config_site.h: the same stack as on a PC and in CI. A
# root of the build host's own architecture (the x86_64 test root) gets the host's wheel.
if ls "${install_dir}"/pjsua2-*.whl >/dev/null 2>&1; then
    "${venv}/bin/pip" install --no-cache-dir --disable-pip-version-check "${install_dir}"/pjsua2-*.whl
else
    build="${install_dir}/pjsua2/build.sh"
    tarball="${install_dir}/pjproject-2.15.1.tar.gz"
    for needed in "${build}" "${tarball}"; do
        if [ ! -f "${needed}" ]; then
            echo "${needed} is missing: image_build/build.sh supplies it (PJPROJECT_TARBALL)" >&2
            exit 1
        fi
    done
    cache="$(mktemp -d)"  # the image keeps the installed module, not the build cache
    PJPROJECT_TARBALL="${tarball}" PJSUA2_CACHE="${cache}" sh "${build}" "${venv}"
    rm -rf "${cache}"
fi
"${venv}/bin/python" -c 'import pjsua2, pjsua2_build'
ln -sf "${venv}/bin/depotline" /usr/local/bin/depotline

# the user (in dialout, gpio, audio) and its directories, as systemd will at boot
systemd-sysusers /usr/lib/sysusers.d/depotline.conf
systemd-tmpfiles --create /usr/lib/tmpfiles.d/depotline.conf
chown root:depotline /etc/depotline /etc/depotline/depotline.toml
chmod 750 /etc/depotline
chmod 640 /etc/depotline/depotline.toml

# arms the first-boot setup page (depotline-firstboot.service puts the setup code in it)
install -o depotline -g depotline -m 640 /dev/null /var/lib/depotline/first-boot

systemctl enable depotline.service depotline-backup.timer depotline-firstboot.service \
    depotline-issue.path
systemctl enable systemd-timesyncd.service
rm -rf "${install_dir}"
