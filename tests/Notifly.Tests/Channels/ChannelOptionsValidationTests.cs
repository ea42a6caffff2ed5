using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Channels.Push;
using Notifly.Grains.Channels.Webhook;

namespace Notifly.Tests.Channels;

// Covers the validation the silo relies on to refuse a bad channel setting at start, naming it.
// Not covered: binding from configuration sections, which belongs to the silo's registration.
public sealed class ChannelOptionsValidationTests
{
    [Fact]
    public void Accepts_the_defaults()
    {
        FluentActions.Invoking(() => Resolve<SmtpOptions>(_ => { })).Should().NotThrow();
        FluentActions.Invoking(() => Resolve<WebhookOptions>(_ => { })).Should().NotThrow();
    }

    [Fact]
    public void Refuses_a_from_address_that_does_not_parse()
    {
        var resolve = () => Resolve<SmtpOptions>(o => o.From = "Notifly without address");

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*From*");
    }

    [Fact]
    public void Refuses_a_port_out_of_range()
    {
        var resolve = () => Resolve<SmtpOptions>(o => o.Port = 0);

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Port*");
    }

    [Fact]
    public void Refuses_an_allowed_webhook_network_that_is_not_a_cidr()
    {
        var resolve = () => Resolve<WebhookOptions>(o => o.AllowedNetworks = ["10.0.0.0/8", "intranet"]);

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*AllowedNetworks*intranet*");
    }

    [Fact]
    public void Refuses_a_zero_webhook_timeout()
    {
        var resolve = () => Resolve<WebhookOptions>(o => o.Timeout = TimeSpan.Zero);

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Timeout*");
    }

    [Fact]
    public void Refuses_an_fcm_key_file_that_does_not_exist()
    {
        var resolve = () => Resolve<FcmOptions>(o => o.ServiceAccountFile = "/nonexistent/fcm-key.json");

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Notifly:Channels:Fcm:ServiceAccountFile*");
    }

    [Fact]
    public void Refuses_an_fcm_key_without_a_project_id()
    {
        var resolve = () => Resolve<FcmOptions>(o => o.ServiceAccountJson = """{"client_email":"a@b","private_key":"x","token_uri":"https://oauth2.googleapis.com/token"}""");

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Notifly:Channels:Fcm:ServiceAccountJson*project_id*");
    }

    [Fact]
    public void Accepts_a_complete_sendgrid_account()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

        FluentActions.Invoking(() => Resolve<SendGridOptions>(o => SendGrid(o))).Should().NotThrow();
        FluentActions.Invoking(() => Resolve<SendGridOptions>(o => SendGrid(o).EventWebhookPublicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())))
            .Should().NotThrow();
    }

    [Fact]
    public void Refuses_a_sendgrid_account_without_api_key()
    {
        var resolve = () => Resolve<SendGridOptions>(o => SendGrid(o).ApiKey = " ");

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Notifly:Channels:SendGrid:ApiKey*");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Notifly <no-reply@notifly.example>")]
    [InlineData("no-reply")]
    public void Refuses_a_sendgrid_from_that_is_not_a_bare_address_and_never_shows_the_key(string? from)
    {
        var resolve = () => Resolve<SendGridOptions>(o => SendGrid(o).From = from);

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Notifly:Channels:SendGrid:From*")
            .Which.Message.Should().NotContain(SendGridKey);
    }

    [Theory]
    [InlineData("not base64")]
    [InlineData("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")]
    public void Refuses_a_sendgrid_event_webhook_key_that_is_not_a_p256_public_key(string key)
    {
        var resolve = () => Resolve<SendGridOptions>(o => SendGrid(o).EventWebhookPublicKey = key);

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Notifly:Channels:SendGrid:EventWebhookPublicKey*");
    }

    [Fact]
    public void Refuses_a_sendgrid_timeout_of_zero_and_a_relative_base_url()
    {
        FluentActions.Invoking(() => Resolve<SendGridOptions>(o => SendGrid(o).Timeout = TimeSpan.Zero))
            .Should().Throw<OptionsValidationException>().WithMessage("*Timeout*");
        FluentActions.Invoking(() => Resolve<SendGridOptions>(o => SendGrid(o).BaseUrl = new Uri("/sendgrid", UriKind.Relative)))
            .Should().Throw<OptionsValidationException>().WithMessage("*Notifly:Channels:SendGrid:BaseUrl*");
    }

    private const string SendGridKey = "SG.options-test.s3cr3t";

    private static SendGridOptions SendGrid(SendGridOptions o)
    {
        o.ApiKey = SendGridKey;
        o.From = "no-reply@notifly.example";
        return o;
    }

    private static T Resolve<T>(Action<T> configure)
        where T : class
    {
        var services = new ServiceCollection();
        services.AddOptions<T>().Configure(configure).ValidateDataAnnotations();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<T>>().Value;
    }
}
