using System.Globalization;

namespace Notifly.Bench.Measurement;

/// <summary>
/// One line of <c>/proc/&lt;pid&gt;/stat</c>: the parent and the CPU times, in clock ticks
/// (USER_HZ, 100 per second on Linux whatever the kernel's HZ).
/// </summary>
public readonly record struct ProcStat(int ParentId, long UserTicks, long SystemTicks, long ReapedChildrenTicks)
{
    public const double TicksPerSecond = 100;

    public long OwnTicks => UserTicks + SystemTicks;

    /// <summary>
    /// Parses after the last ')': the command name in parentheses may itself hold spaces and
    /// parentheses ("postgres: notifly notifly 127.0.0.1(4242) idle").
    /// </summary>
    public static ProcStat Parse(string line)
    {
        var close = line.LastIndexOf(')');
        if (close < 0)
        {
            throw new FormatException($"not a /proc stat line: {line}");
        }

        // Fields from 3 (state) on; field k is at index k - 3.
        var fields = line[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return new ProcStat((int)Field(4), Field(14), Field(15), Field(16) + Field(17));
    }

    public static ProcStat? TryRead(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // exited meanwhile
        }
    }
}
