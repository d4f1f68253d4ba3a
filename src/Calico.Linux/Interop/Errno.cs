namespace Calico.Linux.Interop;

/// <summary>errno names and texts for messages (strerror would depend on the C library's locale and version).</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int EADDRNOTAVAIL = 99;

    public static string Describe(int errno) => errno switch
    {
        1 => "Operation not permitted (EPERM)",
        2 => "No such file or directory (ENOENT)",
        3 => "No such process (ESRCH)",
        4 => "Interrupted system call (EINTR)",
        5 => "Input/output error (EIO)",
        6 => "No such device or address (ENXIO)",
        7 => "Argument list too long (E2BIG)",
        9 => "Bad file descriptor (EBADF)",
        11 => "Resource temporarily unavailable (EAGAIN)",
        12 => "Cannot allocate memory (ENOMEM)",
        13 => "Permission denied (EACCES)",
        14 => "Bad address (EFAULT)",
        16 => "Device or resource busy (EBUSY)",
        17 => "File exists (EEXIST)",
        19 => "No such device (ENODEV)",
        20 => "Not a directory (ENOTDIR)",
        22 => "Invalid argument (EINVAL)",
        23 => "Too many open files in system (ENFILE)",
        24 => "Too many open files (EMFILE)",
        28 => "No space left on device (ENOSPC)",
        34 => "Numerical result out of range (ERANGE)",
        36 => "File name too long (ENAMETOOLONG)",
        90 => "Message too long (EMSGSIZE)",
        93 => "Protocol not supported (EPROTONOSUPPORT)",
        95 => "Operation not supported (EOPNOTSUPP)",
        97 => "Address family not supported by protocol (EAFNOSUPPORT)",
        98 => "Address already in use (EADDRINUSE)",
        99 => "Cannot assign requested address (EADDRNOTAVAIL)",
        100 => "Network is down (ENETDOWN)",
        101 => "Network is unreachable (ENETUNREACH)",
        105 => "No buffer space available (ENOBUFS)",
        107 => "Transport endpoint is not connected (ENOTCONN)",
        113 => "No route to host (EHOSTUNREACH)",
        _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
