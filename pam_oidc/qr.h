/*
 * QR codes for the terminal. Both styles draw the light modules, for the
 * usual light-on-dark terminal, with a four-module quiet zone.
 */
#ifndef OIDC_QR_H
#define OIDC_QR_H

enum oidc_qr { QR_UTF8 = 0, QR_ASCII, QR_OFF };

/* Render text; *out is a NUL-terminated block of lines ending in '\n'. */
int qr_render(const char *text, enum oidc_qr style, char **out);

#endif
