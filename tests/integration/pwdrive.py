"""A PAM application that types answers, for the tests of the PAM set-up
(the pam-auth-update profiles and the pam.d lines), where a password
module follows pam_oidc. It runs pam_authenticate on a service file the
test wrote (pam_start_confdir) and prints every conversation message as
pamdrive does ("MSG STYLE", the text, "END"); each prompt is answered
with the next ANSWER, then with "". No delay after a failure (the fail
delay of pam_unix and pam_faildelay is a no-op here).

  pwdrive.py [--fail-conv] CONFDIR SERVICE USER [ANSWER...]

Prints "RESULT auth=N" and exits with N, the code of pam_authenticate.
"""
import ctypes
import sys

PAM_FAIL_DELAY = 10

args = sys.argv[1:]
fail_conv = bool(args) and args[0] == '--fail-conv'
if fail_conv:
    args = args[1:]
if len(args) < 3:
    sys.stderr.write(__doc__)
    sys.exit(100)
confdir, service, user = args[:3]
answers = [a.encode() for a in args[3:]]

pam = ctypes.CDLL('libpam.so.0')
# The process's own allocator: libpam frees what the conversation returns.
libc = ctypes.CDLL(None)
libc.calloc.restype = ctypes.c_void_p
libc.calloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
libc.strdup.restype = ctypes.c_void_p
libc.strdup.argtypes = [ctypes.c_char_p]


class Msg(ctypes.Structure):
    _fields_ = [('style', ctypes.c_int), ('msg', ctypes.c_char_p)]


class Resp(ctypes.Structure):
    _fields_ = [('resp', ctypes.c_void_p), ('retcode', ctypes.c_int)]


CONV = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int,
                        ctypes.POINTER(ctypes.POINTER(Msg)),
                        ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)
DELAY = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p)


class Conv(ctypes.Structure):
    _fields_ = [('conv', CONV), ('appdata', ctypes.c_void_p)]


out = sys.stdout.buffer


def conv(n, msgs, resp, data):
    if fail_conv:
        return 19  # PAM_CONV_ERR
    r = libc.calloc(n, ctypes.sizeof(Resp))
    if not r:
        return 5  # PAM_BUF_ERR
    arr = ctypes.cast(r, ctypes.POINTER(Resp))
    for i in range(n):
        m = msgs[i].contents
        out.write(b'MSG %d\n%s\nEND\n' % (m.style, m.msg or b''))
        if m.style in (1, 2):
            arr[i].resp = libc.strdup(answers.pop(0) if answers else b'')
    out.flush()
    resp[0] = r
    return 0


def no_delay(retval, usec, data):
    pass


cb = CONV(conv)
delay_cb = DELAY(no_delay)
pc = Conv(cb, None)
pamh = ctypes.c_void_p()
pam.pam_start_confdir.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                  ctypes.POINTER(Conv), ctypes.c_char_p,
                                  ctypes.POINTER(ctypes.c_void_p)]
pam.pam_set_item.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
pam.pam_authenticate.argtypes = [ctypes.c_void_p, ctypes.c_int]
pam.pam_end.argtypes = [ctypes.c_void_p, ctypes.c_int]
if pam.pam_start_confdir(service.encode(), user.encode(), ctypes.byref(pc),
                         confdir.encode(), ctypes.byref(pamh)) != 0:
    sys.exit(101)
if pam.pam_set_item(pamh, PAM_FAIL_DELAY,
                    ctypes.cast(delay_cb, ctypes.c_void_p)) != 0:
    sys.exit(102)
rc = pam.pam_authenticate(pamh, 0)
out.write(b'RESULT auth=%d\n' % rc)
out.flush()
pam.pam_end(pamh, rc)
sys.exit(rc)
