/*
 * QR codes for the terminal. Both styles draw the light modules, for the
 * usual light-on-dark terminal, quiet zone included: what lies beyond it
 * is the terminal's dark background.
 */
#ifndef OIDC_QR_H
#define OIDC_QR_H

/*
 * qr = auto | utf8 | ascii | off. auto is resolved by the caller from
 * the terminal's character set (display.h); the renderers take the rest.
 */
enum oidc_qr { QR_AUTO = 0, QR_UTF8, QR_ASCII, QR_OFF };

/* The quiet zone ISO/IEC 18004 asks for, and the least scanners read. */
#define QR_QUIET_SPEC 4
#define QR_QUIET_MIN  2

struct oidc_qrcode;

/*
 * Encode text in the smallest symbol (version) that holds it at error
 * correction level L, then with the highest level that keeps that
 * version: the same size, more damage tolerated.
 */
int qr_encode(const char *text, struct oidc_qrcode **out);
void qr_free(struct oidc_qrcode *q);

/* Modules per side, without the quiet zone. */
int qr_modules(const struct oidc_qrcode *q);

/* The error correction level: 0 (L), 1 (M), 2 (Q) or 3 (H). */
int qr_level(const struct oidc_qrcode *q);

/* Columns and text lines a rendering takes (style QR_UTF8 or QR_ASCII). */
void qr_size(const struct oidc_qrcode *q, enum oidc_qr style, int quiet,
    int *cols, int *lines);

/*
 * Draw with a quiet zone of quiet modules: *out is a NUL-terminated block
 * of lines of equal width, each ending in '\n'. UTF-8 puts two module
 * rows in one line with half blocks; ASCII draws a module as "##".
 */
int qr_draw(
    const struct oidc_qrcode *q, enum oidc_qr style, int quiet, char **out);

/* Encode and draw with the full quiet zone (pam-oidc qr). */
int qr_render(const char *text, enum oidc_qr style, char **out);

#endif
