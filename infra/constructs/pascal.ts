/** `get-ticket` / `ticket_facts` → `GetTicket` / `TicketFacts`: construct ids from route and table names. */
export const pascal = (name: string) =>
  name
    .split(/[-_]/)
    .map((w) => `${w[0]!.toUpperCase()}${w.slice(1)}`)
    .join('');
