namespace Notifly.Grains.Users;

/// <summary>
/// Password hashing with bcrypt (BCrypt.Net-Next) at cost 12, as seed 000 asks. An unknown email
/// is checked against <see cref="Decoy"/> so that it costs what a wrong password costs and the two
/// cannot be told apart by timing.
/// </summary>
public static class Passwords
{
    public const int WorkFactor = 12;
    public const int MinLength = 12;
    public const int MaxLength = 72; // bcrypt reads no further than 72 bytes

    private static readonly Lazy<string> DecoyHash = new(() => BCrypt.Net.BCrypt.HashPassword(Guid.NewGuid().ToString(), WorkFactor));

    public static string Hash(string password) => BCrypt.Net.BCrypt.HashPassword(password, WorkFactor);

    public static bool Verify(string password, string? hash) =>
        hash is null ? Decoy(password) : BCrypt.Net.BCrypt.Verify(password, hash);

    /// <summary>What a password a user may choose must be, or null when it is fine.</summary>
    public static string? Problem(string? password) =>
        password is null || password.Length < MinLength || System.Text.Encoding.UTF8.GetByteCount(password) > MaxLength
            ? $"password must be {MinLength}–{MaxLength} characters (bcrypt reads at most {MaxLength} bytes)."
            : null;

    private static bool Decoy(string password)
    {
        BCrypt.Net.BCrypt.Verify(password, DecoyHash.Value);
        return false;
    }
}
