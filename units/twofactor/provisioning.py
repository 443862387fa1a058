"""What an authenticator app needs to learn a device's secret: pure builders, no queries."""

import base64
import io

from django_otp.plugins.otp_totp.models import TOTPDevice


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code, drawn without Pillow."""
    import qrcode  # only the setup page needs it
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2).save(out)
    return out.getvalue().decode()


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The QR code as a data: address, so the page embeds it without another request."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_code_svg(device).encode()).decode()
