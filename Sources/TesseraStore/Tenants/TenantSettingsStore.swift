public import Logging
public import PostgresNIO
public import TesseraCore

/// A tenant's settings, kept on its `tessera.tenants` row (`/api/v1/settings`): how long unused
/// accounts last, the notification channels, the mail server, and the webhook signing secret.
public struct TenantSettingsStore: Sendable {
    let client: DatabasePool
    let logger: Logger

    public init(client: DatabasePool, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Days after which an unused account freezes (nil: never), the default language, and the
    /// days removed fields' values are kept.
    public func general(_ tenant: Tenant) async throws -> (freezeAfterDays: Int?, locale: MessageLocale?, retentionDays: Int) {
        let rows = try await client.query(
            "SELECT freeze_after_days, locale, retention_days FROM tessera.tenants WHERE id = \(tenant.id)", logger: logger
        ).collect()
        guard let (days, locale, retention) = try rows.first?.decode((Int?, String?, Int).self) else { return (nil, nil, 30) }
        return (days, locale.flatMap(MessageLocale.init(rawValue:)), retention)
    }

    /// The tenant's business calendar (the default when it has set none).
    public func calendar(_ tenant: Tenant) async throws -> BusinessCalendar {
        let rows = try await client.query("SELECT calendar::text FROM tessera.tenants WHERE id = \(tenant.id)", logger: logger).collect()
        return TenantRow.calendar(try rows.first?.decode(String?.self))
    }

    /// Saves the calendar and tells every instance: cached callers and metadata carry the tenant,
    /// and with it the calendar that expressions and timers count working days by.
    public func setCalendar(_ tenant: Tenant, _ calendar: BusinessCalendar?) async throws {
        let json = calendar.map { JSONWriter.string($0.json) }
        let id = tenant.id.uuidString.lowercased()
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("UPDATE tessera.tenants SET calendar = \(json)::json WHERE id = \(tenant.id)", logger: logger)
            try await connection.query(
                """
                SELECT pg_notify(\(ControlSchema.metadataChannel), \(id)),
                       pg_notify(\(ControlSchema.metadataChannel), \(ControlSchema.authPayloadPrefix + id))
                """, logger: logger)
        }
    }

    public func setRetentionDays(_ tenant: Tenant, _ days: Int) async throws {
        try await client.query("UPDATE tessera.tenants SET retention_days = \(days) WHERE id = \(tenant.id)", logger: logger)
    }

    public func setFreezeAfterDays(_ tenant: Tenant, _ days: Int?) async throws {
        try await client.query("UPDATE tessera.tenants SET freeze_after_days = \(days) WHERE id = \(tenant.id)", logger: logger)
    }

    public func setLocale(_ tenant: Tenant, _ locale: MessageLocale?) async throws {
        try await client.query("UPDATE tessera.tenants SET locale = \(locale?.rawValue) WHERE id = \(tenant.id)", logger: logger)
    }

    /// The tenant's notification channels and mail server.
    public func channels(_ tenant: Tenant) async throws -> (channels: [String: NotificationChannel], smtp: SMTPSettings?) {
        let rows = try await client.query("SELECT channels::text, smtp::text FROM tessera.tenants WHERE id = \(tenant.id)", logger: logger).collect()
        guard let (channelsText, smtpText) = try rows.first?.decode((String?, String?).self) else { return ([:], nil) }
        let channels = try channelsText.map { try NotificationChannel.decodeAll(try JSONParser.parse($0), existing: [:]) } ?? [:]
        let smtp = try smtpText.map { try SMTPSettings.decode(try JSONParser.parse($0), existing: nil) }
        return (channels, smtp)
    }

    /// Replaces the channels (nil leaves them) and the mail server (`.some(nil)` removes it).
    public func saveChannels(_ tenant: Tenant, channels: [String: NotificationChannel]?, smtp: SMTPSettings??) async throws {
        if let channels {
            let json = JSONWriter.string(.object(channels.sorted { $0.key < $1.key }.map { ($0.key, $0.value.storedJSON) }))
            try await client.query("UPDATE tessera.tenants SET channels = \(json)::jsonb WHERE id = \(tenant.id)", logger: logger)
        }
        if let smtp {
            let json = smtp.map { JSONWriter.string($0.storedJSON) }
            try await client.query("UPDATE tessera.tenants SET smtp = \(json)::jsonb WHERE id = \(tenant.id)", logger: logger)
        }
    }

    /// The tenant's webhook signing secret. Read on every send; written only the first time,
    /// when the tenant has none yet (whichever instance gets there first makes it).
    public func webhookSecret(_ tenant: Tenant) async throws -> String {
        let stored = try await client.query("SELECT webhook_secret FROM tessera.tenants WHERE id = \(tenant.id)", logger: logger).collect()
        guard let row = stored.first else { throw TesseraError.notFound(AccountMessage.noTenant(tenant.slug)) }
        if let secret = try row.decode(String?.self) { return secret }
        let made = RandomToken.make(bytes: 32)
        let rows = try await client.query(
            """
            UPDATE tessera.tenants SET webhook_secret = coalesce(webhook_secret, \(made)) WHERE id = \(tenant.id) RETURNING webhook_secret
            """, logger: logger
        ).collect()
        guard let secret = try rows.first?.decode(String.self) else { throw TesseraError.notFound(AccountMessage.noTenant(tenant.slug)) }
        return secret
    }
}
