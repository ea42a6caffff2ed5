namespace Notifly.Api.Auth;

public static class Policies
{
    public const string Admin = "admin";
}
