import { Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { Role } from '#shared/domain/actor.ts';

/** One Cognito group per role; the ID token's `cognito:groups` claim carries them to the API. */
const groups: Record<Role, { precedence: number; description: string }> = {
  admin: { precedence: 0, description: 'Configures routing, SLAs and calendars; manages agents' },
  supervisor: { precedence: 1, description: 'Watches SLAs, approves, rebalances work, reads reports' },
  agent: { precedence: 2, description: 'Works a queue: replies, notes, transfers, resolves' },
  integration: { precedence: 3, description: 'External systems creating and updating tickets' },
  customer: { precedence: 4, description: 'Submits tickets and follows their own' },
};

export interface UserDirectoryProps {
  /** Cognito Plus plan with threat protection enforced; otherwise Essentials. */
  plusPlan: boolean;
  /** The Hosted UI's domain prefix: `<prefix>.auth.<region>.amazoncognito.com`. */
  signInDomainPrefix: string;
}

/**
 * Who may call the API: a Cognito user pool whose accounts are created by an administrator (no
 * self sign-up), with a strong password policy, TOTP MFA required, one group per role, one public
 * app client whose ID tokens the API accepts, and a Hosted UI domain where the console signs people in
 * with that client (authorization code with PKCE).
 */
export class UserDirectory extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** The Hosted UI (classic): `/oauth2/authorize`, `/oauth2/token`, `/logout`. */
  readonly signInDomain: UserPoolDomain;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the `iss` of the pool's tokens. */
  readonly issuer: string;
  /** Where the Hosted UI may send people back to; the console adds its own (`addSignInRedirects`). */
  private readonly redirects = { callbackUrls: [] as string[], logoutUrls: [] as string[] };

  constructor(scope: Construct, id: string, props: UserDirectoryProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      userInvitation: {
        emailSubject: 'Your Gongdan account',
        emailBody:
          'An administrator created a Gongdan account for you. User name: {username}. ' +
          'Temporary password: {####} (valid for 3 days; you will set your own and an authenticator app).',
      },
      featurePlan: props.plusPlan ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(props.plusPlan ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      // Staff accounts outlive a redeploy of the API: a deleted stack leaves the pool in place.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    for (const [name, group] of Object.entries(groups)) {
      new UserPoolGroup(this, `${name[0]!.toUpperCase()}${name.slice(1)}Group`, {
        userPool: this.userPool,
        groupName: name,
        precedence: group.precedence,
        description: group.description,
      });
    }

    // One client for every caller, because the functions check one audience (AUTH_AUDIENCE) besides the
    // authorizer. It is public (no secret): the console is a browser app that cannot keep one.
    this.client = this.userPool.addClient('ApiClient', {
      generateSecret: false,
      // SRP for people signing in from a browser or app; ADMIN_USER_PASSWORD_AUTH only for operators
      // holding IAM credentials (docs/deploy.md uses it to fetch a first token). No plain USER_PASSWORD.
      authFlows: { userSrp: true, adminUserPassword: true },
      // The Hosted UI: the authorization code grant only, no implicit grant. Cognito has no switch to
      // require PKCE; the console always sends an S256 challenge, which binds each code it gets to it.
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        // Lazy: the console's distribution, whose URLs these are, needs the Hosted UI domain first.
        callbackUrls: Lazy.list({ produce: () => this.redirects.callbackUrls }),
        logoutUrls: Lazy.list({ produce: () => this.redirects.logoutUrls }),
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.node.addValidation({
      validate: () =>
        this.redirects.callbackUrls.length && this.redirects.logoutUrls.length
          ? []
          : [
              'The app client allows the code grant but has no callback or logout URL: call addSignInRedirects()',
            ],
    });

    this.signInDomain = this.userPool.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: props.signInDomainPrefix },
      // The classic Hosted UI needs no branding resource; it handles the first password change and
      // TOTP enrolment that MFA-required, admin-created accounts go through.
      managedLoginVersion: ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;

    if (!props.plusPlan) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'Plus (threat protection) is billed per monthly active user, so it is opt-in: deploy with ' +
          '-c gongdan:cognitoPlusPlan=true. Essentials still enforces TOTP MFA and a 12-character policy.',
      });
    }
  }

  /** Lets the Hosted UI return people to `callbackUrl` after sign-in and `logoutUrl` after sign-out. */
  addSignInRedirects(urls: { callbackUrl: string; logoutUrl: string }) {
    this.redirects.callbackUrls.push(urls.callbackUrl);
    this.redirects.logoutUrls.push(urls.logoutUrl);
  }
}
