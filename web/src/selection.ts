// The piles the operator picked on the fleet page, handed to remote configuration.
export const selection = new Set<string>();

// The fleet filter the operator last used (for "configure every pile matching this filter").
export interface FleetFilter { text: string; protocol: string; online: string; status: string }
export const lastFilter: FleetFilter = { text: '', protocol: '', online: '', status: '' };
