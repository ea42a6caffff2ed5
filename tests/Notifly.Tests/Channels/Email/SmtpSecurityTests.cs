// SMTP as a relay on the internet has it: STARTTLS required and AUTH required, against a real
// server (aiosmtpd) with a certificate from a CA made for the test. The mail goes through only
// when the server is trusted and the password right; a server without STARTTLS is refused when
// STARTTLS is required, and never given the mail in the clear.
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Email;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Email;

public sealed class SmtpSecurityTests : IAsyncLifetime
{
    private const string User = "relay-user";
    private const string Password = "relay-password-1";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"notifly-smtp-tls-{Guid.NewGuid():N}");
    private string _caFile = "";
    private SmtpSink _secure = null!;
    private SmtpSink _plain = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var (certificate, key) = IssueServerCertificate();
        _secure = await SmtpSink.StartAsync(security: new SmtpSinkSecurity(certificate, key, User, Password));
        _plain = await SmtpSink.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _secure.DisposeAsync();
        await _plain.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Sends_over_STARTTLS_with_AUTH_to_a_server_that_requires_both()
    {
        var outcome = await Sender(_secure, SmtpSecurity.StartTls, trustCa: true, Password).SendAsync(Work("tls@example.com"), CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Success, outcome.ErrorMessage);
        var message = (await _secure.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10), m => m.To!.Contains("tls@example.com"))).Single();
        message.Subject.Should().Be("Over TLS");
    }

    [Fact]
    public async Task A_wrong_password_is_the_providers_fault_and_nothing_is_sent()
    {
        var outcome = await Sender(_secure, SmtpSecurity.StartTls, trustCa: true, "not-the-password").SendAsync(Work("wrong@example.com"), CancellationToken.None);

        (outcome.Kind, outcome.ErrorCode).Should().Be((OutcomeKind.Permanent, AttemptOutcome.AuthFailed));
        outcome.IsProviderFault.Should().BeTrue("another provider of the channel may still take it");
        _secure.Messages().Should().NotContain(m => m.To!.Contains("wrong@example.com"));
    }

    [Fact]
    public async Task A_certificate_from_an_untrusted_CA_stops_the_send()
    {
        var outcome = await Sender(_secure, SmtpSecurity.StartTls, trustCa: false, Password).SendAsync(Work("untrusted@example.com"), CancellationToken.None);

        (outcome.Kind, outcome.ErrorCode).Should().Be((OutcomeKind.Transient, "SMTP_TLS_FAILED"));
        _secure.Messages().Should().NotContain(m => m.To!.Contains("untrusted@example.com"));
    }

    [Fact]
    public async Task A_server_without_STARTTLS_is_refused_when_STARTTLS_is_required_and_used_plainly_otherwise()
    {
        var refused = await Sender(_plain, SmtpSecurity.StartTls, trustCa: true, password: null).SendAsync(Work("required@example.com"), CancellationToken.None);
        (refused.Kind, refused.ErrorCode).Should().Be((OutcomeKind.Transient, "SMTP_STARTTLS_UNAVAILABLE"));
        _plain.Messages().Should().NotContain(m => m.To!.Contains("required@example.com"), "nothing goes in the clear when TLS is required");

        var opportunistic = await Sender(_plain, SmtpSecurity.StartTlsWhenAvailable, trustCa: false, password: null)
            .SendAsync(Work("local@example.com"), CancellationToken.None);
        opportunistic.Kind.Should().Be(OutcomeKind.Success, opportunistic.ErrorMessage);
        await _plain.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10), m => m.To!.Contains("local@example.com"));
    }

    [Fact]
    public async Task Credentials_are_never_offered_over_a_clear_connection()
    {
        var outcome = await Sender(_secure, SmtpSecurity.None, trustCa: true, Password).SendAsync(Work("clear@example.com"), CancellationToken.None);

        (outcome.Kind, outcome.ErrorCode).Should().Be((OutcomeKind.Transient, "SMTP_NOT_SUPPORTED"), outcome.ErrorMessage);
        _secure.Messages().Should().NotContain(m => m.To!.Contains("clear@example.com"));
    }

    private SmtpEmailSender Sender(SmtpSink sink, SmtpSecurity security, bool trustCa, string? password) =>
        new(Options.Create(new SmtpOptions
        {
            Host = sink.Host,
            Port = sink.Port,
            Security = security,
            TrustedCaFile = trustCa ? _caFile : null,
            Username = password is null ? null : User,
            Password = password,
            Timeout = TimeSpan.FromSeconds(10),
        }));

    private static SendWork Work(string email) => SendWorks.Create(Channel.Email, new Recipient(Email: email), subject: "Over TLS");

    /// <summary>A CA made for this test, trusted through TrustedCaFile only, and the server's certificate for 127.0.0.1 from it.</summary>
    private (string Certificate, string Key) IssueServerCertificate()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Notifly test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=smtp-sink", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(ca, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(16));

        _caFile = Path.Combine(_directory, "ca.pem");
        File.WriteAllText(_caFile, ca.ExportCertificatePem());
        var certificate = Path.Combine(_directory, "server.pem");
        var key = Path.Combine(_directory, "server.key");
        File.WriteAllText(certificate, server.ExportCertificatePem());
        File.WriteAllText(key, serverKey.ExportPkcs8PrivateKeyPem());
        return (certificate, key);
    }
}
