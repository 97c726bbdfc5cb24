/*
 * The layout of the sign-in message (layout.c): its parts, already
 * translated and sanitised, placed as lines of at most 80 columns.
 */
#ifndef OIDC_LAYOUT_H
#define OIDC_LAYOUT_H

#include "qr.h"
#include "wrap.h"

/* The longest message display_build makes (display.c). */
#define DISPLAY_MAX ((size_t)64 * 1024)

/*
 * The screen the message must fit: 80x24. sudo and login end the message
 * with a newline, so there the cursor takes the last line; a prompt
 * (wait = enter) ends on the cursor's line. The ssh client puts
 * "(user@host) " before the first line: the heading, short.
 */
#define DISPLAY_COLS  80
#define DISPLAY_LINES 24

/* The parts of the message, each a line of text before layout. */
struct display_parts {
	char *heading;
	char *context;
	char *open, *code, *link; /* link: NULL without a complete URI */
	char *valid;              /* NULL when the time left is unknown */
	char *hint;
	char *final; /* the prompt or "Waiting…", without a trailing space */
	char *note;  /* why there is no QR code, or NULL */
};

/* Everything as full-width lines, no QR code. */
int layout_plain(const struct display_parts *p, struct oidc_lines *out);

/*
 * The QR code in half blocks with the text around it, when it fits the
 * screen (*done); enter: the message is a prompt (wait = enter).
 */
int layout_utf8(const struct display_parts *p, const struct oidc_qrcode *q,
    int enter, struct oidc_lines *out, int *done);

/* The QR code in ASCII above the text, when it is at most 80 wide. */
int layout_ascii(const struct display_parts *p, const struct oidc_qrcode *q,
    struct oidc_lines *out, int *done);

/* The lines joined by newlines; a prompt's last line ends in a space. */
int layout_join(const struct oidc_lines *ls, int enter, char **text);

#endif
