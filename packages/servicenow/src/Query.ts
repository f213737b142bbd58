/**
 * An immutable encoded-query builder (`sysparm_query`), typed over a table's fields. Values are
 * escaped (`^` → `^^`), so a value can never end a condition or inject `^OR`/`^NQ`; the HTTP layer
 * URL-encodes the whole string once.
 *
 * Grammar (servicenow-api.md §1.7): conditions joined by `^` (AND); `^OR` joins a condition to the one
 * before it; `^NQ` starts a new query OR-ed with the previous ones (`A^B^NQC^D` = `(A ∧ B) ∨ (C ∧ D)`);
 * `^ORDERBY`/`^ORDERBYDESC` sort.
 *
 * `IN` lists cannot escape a comma, so `in`/`notIn` with a value containing `,` (or an empty value)
 * are written as an equivalent chain of `=` / `!=` conditions instead.
 *
 * @module
 */
import type { FieldName, UntypedRecord } from "./Records.ts"
import { ORDER_BY, ORDER_BY_DESC, QUERY_SEPARATOR, SYS_ID } from "./vendor.ts"

/** A value in a condition; numbers and booleans are written as ServiceNow stores them (`"4"`, `"true"`). */
export type QueryValue = string | number | boolean

type Condition =
  | { readonly _tag: "condition"; readonly text: string }
  | { readonly _tag: "raw"; readonly text: string }

/** A term is an OR of conditions; a group an AND of terms; the query an OR (`^NQ`) of groups. */
type Term = ReadonlyArray<Condition>
type Group = ReadonlyArray<Term>

interface State {
  readonly groups: ReadonlyArray<Group>
  readonly orderBy: ReadonlyArray<string>
  /** How many trailing terms of the last group the last builder call produced (what `or()` joins). */
  readonly unit: number
  /** The next builder call is OR-ed with the last one. */
  readonly pendingOr: boolean
}

const EMPTY: State = { groups: [[]], orderBy: [], unit: 0, pendingOr: false }

/** Escapes a value for an encoded query: every `^` becomes `^^` (servicenow-api.md §1.7, [SN-GSU]). */
export const escapeValue = (value: QueryValue): string =>
  String(value).replaceAll(QUERY_SEPARATOR, QUERY_SEPARATOR + QUERY_SEPARATOR)

const condition = (field: string, operator: string, value: QueryValue = ""): Condition => ({
  _tag: "condition",
  text: `${field}${operator}${escapeValue(value)}`,
})

// Conditions that always hold / never hold: every record has a sys_id.
const NEVER = condition(SYS_ID, "ISEMPTY")
const ALWAYS = condition(SYS_ID, "ISNOTEMPTY")

const lastGroup = (state: State): Group => state.groups[state.groups.length - 1] ?? []

/**
 * Adds what one builder call means, in conjunctive form (an AND of OR-terms): as new terms, or, after
 * `or()`, OR-ed with what the previous call added. `(A1 ∧ A2) ∨ (X1 ∧ X2)` distributes to the AND of
 * every `Ai ∨ Xj`, which the flat grammar can express (`^OR` binds only the conditions beside it).
 */
const addUnit = (state: State, unit: ReadonlyArray<Term>): State => {
  const group = lastGroup(state)
  const keep = state.pendingOr ? group.slice(0, group.length - state.unit) : group
  const added =
    state.pendingOr && state.unit > 0
      ? group
          .slice(group.length - state.unit)
          .flatMap((previous) => unit.map((term) => [...previous, ...term]))
      : unit
  return {
    ...state,
    groups: [...state.groups.slice(0, -1), [...keep, ...added]],
    unit: added.length,
    pendingOr: false,
  }
}

/** One builder call meaning `c1 ∨ c2 ∨ …`. */
const anyOf = (conditions: ReadonlyArray<Condition>): ReadonlyArray<Term> => [conditions]
/** One builder call meaning `c1 ∧ c2 ∧ …`. */
const allOf = (conditions: ReadonlyArray<Condition>): ReadonlyArray<Term> => conditions.map((c) => [c])

const listSafe = (values: ReadonlyArray<QueryValue>) =>
  values.every((v) => String(v) !== "" && !String(v).includes(","))

const renderTerm = (term: Term): string => term.map((c) => c.text).join(`${QUERY_SEPARATOR}OR`)
const renderGroup = (group: Group): string => group.map(renderTerm).join(QUERY_SEPARATOR)

/**
 * An encoded query over records of type `R` (the field names are checked against it). Immutable:
 * every method returns a new query.
 *
 * @example
 * ```ts
 * const q = Query.make<RecordOf<"sys_user">>().eq("active", true).startsWith("user_name", "m365_").orderBy("user_name")
 * q.toString() // "active=true^user_nameSTARTSWITHm365_^ORDERBYuser_name"
 * ```
 */
export class Query<R = UntypedRecord> {
  private readonly state: State

  private constructor(state: State) {
    this.state = state
  }

  /** An empty query (matches every record). */
  static make<R = UntypedRecord>(): Query<R> {
    return new Query<R>(EMPTY)
  }

  private next(state: State): Query<R> {
    return new Query<R>(state)
  }

  private add(field: string, operator: string, value?: QueryValue): Query<R> {
    return this.next(addUnit(this.state, anyOf([condition(field, operator, value)])))
  }

  /** `field = value`; an empty value is written `ISEMPTY`. */
  eq(field: FieldName<R>, value: QueryValue): Query<R> {
    return String(value) === "" ? this.isEmpty(field) : this.add(field, "=", value)
  }

  /** `field != value`; an empty value is written `ISNOTEMPTY`. */
  ne(field: FieldName<R>, value: QueryValue): Query<R> {
    return String(value) === "" ? this.isNotEmpty(field) : this.add(field, "!=", value)
  }

  /** `field` contains `value` (`LIKE`). */
  like(field: FieldName<R>, value: QueryValue): Query<R> {
    return this.add(field, "LIKE", value)
  }

  /** `field` does not contain `value` (`NOT LIKE`). */
  notLike(field: FieldName<R>, value: QueryValue): Query<R> {
    return this.add(field, "NOT LIKE", value)
  }

  /** `field` starts with `value`. */
  startsWith(field: FieldName<R>, value: QueryValue): Query<R> {
    return this.add(field, "STARTSWITH", value)
  }

  /** `field` ends with `value`. */
  endsWith(field: FieldName<R>, value: QueryValue): Query<R> {
    return this.add(field, "ENDSWITH", value)
  }

  /** `field` is one of `values`; an empty list matches nothing. */
  in(field: FieldName<R>, values: ReadonlyArray<QueryValue>): Query<R> {
    if (values.length === 0) return this.next(addUnit(this.state, anyOf([NEVER])))
    if (listSafe(values)) return this.add(field, "IN", values.map(String).join(","))
    return this.next(
      addUnit(
        this.state,
        anyOf(values.map((v) => (String(v) === "" ? condition(field, "ISEMPTY") : condition(field, "=", v)))),
      ),
    )
  }

  /** `field` is none of `values`; an empty list matches everything. */
  notIn(field: FieldName<R>, values: ReadonlyArray<QueryValue>): Query<R> {
    if (values.length === 0) return this.next(addUnit(this.state, anyOf([ALWAYS])))
    if (listSafe(values)) return this.add(field, "NOT IN", values.map(String).join(","))
    return this.next(
      addUnit(
        this.state,
        allOf(
          values.map((v) => (String(v) === "" ? condition(field, "ISNOTEMPTY") : condition(field, "!=", v))),
        ),
      ),
    )
  }

  /** `field` is empty. */
  isEmpty(field: FieldName<R>): Query<R> {
    return this.add(field, "ISEMPTY")
  }

  /** `field` is not empty. */
  isNotEmpty(field: FieldName<R>): Query<R> {
    return this.add(field, "ISNOTEMPTY")
  }

  /** `field < value` (numbers compare numerically, other values as text; dates as `YYYY-MM-DD HH:mm:ss`). */
  lt(field: FieldName<R>, value: QueryValue): Query<R> {
    return this.add(field, "<", value)
  }

  /** `field <= value`. */
  lte(field: FieldName<R>, value: QueryValue): Query<R> {
    return this.add(field, "<=", value)
  }

  /** `field > value`. */
  gt(field: FieldName<R>, value: QueryValue): Query<R> {
    return this.add(field, ">", value)
  }

  /** `field >= value`. */
  gte(field: FieldName<R>, value: QueryValue): Query<R> {
    return this.add(field, ">=", value)
  }

  /**
   * Joins the **next** condition to the previous one with `^OR`: `eq(a, 1).or().eq(b, 2)` is
   * `a=1 ∨ b=2`, AND-ed with what came before. Has no effect at the start of a group, nor when no
   * condition follows it.
   */
  or(): Query<R> {
    return this.next({ ...this.state, pendingOr: true })
  }

  /** Starts a new query group (`^NQ`): the result is the union of the groups. */
  nq(): Query<R> {
    if (lastGroup(this.state).length === 0) return this.next({ ...this.state, unit: 0, pendingOr: false })
    return this.next({ ...this.state, groups: [...this.state.groups, []], unit: 0, pendingOr: false })
  }

  /** Sorts ascending by `field` (after earlier sort keys). */
  orderBy(field: FieldName<R>): Query<R> {
    return this.next({ ...this.state, orderBy: [...this.state.orderBy, `${ORDER_BY}${field}`] })
  }

  /** Sorts descending by `field` (after earlier sort keys). */
  orderByDesc(field: FieldName<R>): Query<R> {
    return this.next({ ...this.state, orderBy: [...this.state.orderBy, `${ORDER_BY_DESC}${field}`] })
  }

  /**
   * Appends an encoded-query fragment **as is** (not escaped): the escape hatch for operators this
   * builder lacks (`BETWEEN`, `DYNAMIC`, `javascript:`…). Never pass user input here.
   */
  raw(fragment: string): Query<R> {
    return this.next(addUnit(this.state, anyOf([{ _tag: "raw", text: fragment }])))
  }

  /** Whether the query sets its own order (`ORDERBY…`). */
  get isOrdered(): boolean {
    return (
      this.state.orderBy.length > 0 ||
      this.state.groups.some((group) =>
        group.some((term) => term.some((c) => c._tag === "raw" && isOrdered(c.text))),
      )
    )
  }

  /** The encoded query, e.g. `active=true^user_nameSTARTSWITHm365_^ORDERBYuser_name`. */
  toString(): string {
    const groups = this.state.groups.filter((group) => group.length > 0).map(renderGroup)
    return [groups.join(`${QUERY_SEPARATOR}NQ`), ...this.state.orderBy]
      .filter((part) => part !== "")
      .join(QUERY_SEPARATOR)
  }
}

const ORDERED = new RegExp(`(^|\\${QUERY_SEPARATOR})${ORDER_BY}`)

/** Whether an encoded query (a {@link Query} or a string) sets its own order. */
export const isOrdered = (query: Query<unknown> | string): boolean =>
  typeof query === "string"
    ? ORDERED.test(query.replaceAll(QUERY_SEPARATOR + QUERY_SEPARATOR, ""))
    : query.isOrdered
