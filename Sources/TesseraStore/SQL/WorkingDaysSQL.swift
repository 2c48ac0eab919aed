import TesseraCore

/// Working days in SQL: `tessera.add_working_days` (instants) and `tessera.add_working_days_to_date`
/// (dates), the same steps as `BusinessCalendar.adding(workingDays:)`, with the tenant's calendar
/// passed as bound arrays so one function serves every tenant and no calendar is ever spliced in.
enum WorkingDaysSQL {
    /// The control-schema functions (migration 19).
    static let functions: [String] = [
        """
        CREATE OR REPLACE FUNCTION tessera.is_working_day(d date, weekend int[], holidays date[], workdays date[])
        RETURNS boolean LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT d = ANY (workdays) OR NOT (d = ANY (holidays) OR extract(isodow FROM d)::int = ANY (weekend))
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION tessera.add_working_days(
            t timestamptz, n int, zone text, weekend int[], holidays date[], workdays date[], opens int, closes int)
        RETURNS timestamptz LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
        DECLARE
            day date := (t AT TIME ZONE zone)::date;
            tod interval := (t AT TIME ZONE zone) - (t AT TIME ZONE zone)::date::timestamp;
            opening interval := make_interval(mins => opens);
            closing interval := make_interval(mins => closes);
            step int := CASE WHEN n < 0 THEN -1 ELSE 1 END;
            bound int := 3660;
        BEGIN
            IF step > 0 THEN
                IF NOT tessera.is_working_day(day, weekend, holidays, workdays) OR tod > closing THEN
                    LOOP
                        day := day + 1;
                        bound := bound - 1;
                        EXIT WHEN tessera.is_working_day(day, weekend, holidays, workdays) OR bound <= 0;
                    END LOOP;
                    tod := opening;
                ELSIF tod < opening THEN
                    tod := opening;
                END IF;
            ELSE
                IF NOT tessera.is_working_day(day, weekend, holidays, workdays) OR tod < opening THEN
                    LOOP
                        day := day - 1;
                        bound := bound - 1;
                        EXIT WHEN tessera.is_working_day(day, weekend, holidays, workdays) OR bound <= 0;
                    END LOOP;
                    tod := closing;
                ELSIF tod > closing THEN
                    tod := closing;
                END IF;
            END IF;
            RETURN (tessera.add_working_days_to_date(day, n, weekend, holidays, workdays) + tod) AT TIME ZONE zone;
        END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION tessera.add_working_days_to_date(d date, n int, weekend int[], holidays date[], workdays date[])
        RETURNS date LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
        DECLARE
            day date := d;
            step int := CASE WHEN n < 0 THEN -1 ELSE 1 END;
            remaining int := abs(n);
            bound int := 3660;
        BEGIN
            WHILE NOT tessera.is_working_day(day, weekend, holidays, workdays) AND bound > 0 LOOP
                day := day + step;
                bound := bound - 1;
            END LOOP;
            WHILE remaining > 0 AND bound > 0 LOOP
                day := day + step;
                bound := bound - 1;
                IF tessera.is_working_day(day, weekend, holidays, workdays) THEN
                    remaining := remaining - 1;
                END IF;
            END LOOP;
            RETURN day;
        END
        $$
        """,
    ]

    /// `tessera.add_working_days(<instant>, <days>, zone, calendar…)`, or the date form when `date`.
    static func append<E: Error>(
        date: Bool, calendar: BusinessCalendar, zone: String, to b: inout SQLBuilder,
        value: (inout SQLBuilder) throws(E) -> Void, days: (inout SQLBuilder) throws(E) -> Void
    ) throws(E) {
        b.append(date ? "tessera.add_working_days_to_date(" : "tessera.add_working_days(")
        try value(&b)
        b.append(", (")
        try days(&b)
        b.append(")::int, ")
        if !date {
            b.bind(.text(zone), cast: "text")
            b.append(", ")
        }
        b.bind(.textArray(calendar.weekend.sorted().map(String.init)), cast: "int[]")
        b.append(", ")
        b.bind(.textArray(calendar.holidays.sorted().map(TimeText.date)), cast: "date[]")
        b.append(", ")
        b.bind(.textArray(calendar.workdays.sorted().map(TimeText.date)), cast: "date[]")
        if !date {
            b.append(", ")
            b.bind(.integer(Int64(calendar.opens)), cast: "int")
            b.append(", ")
            b.bind(.integer(Int64(calendar.closes)), cast: "int")
        }
        b.append(")")
    }
}
