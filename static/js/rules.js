// What this viewer may do with a card, from the facts the server sends and decides with its own
// checks: the board's `posting_open` (Board.accepts_cards), `open` (not closed), `paused`, `phase`
// and `voting.lanes`, and `me`. A rule that depends on the card and the viewer is put together here
// and nowhere else in the browser; the server checks it again on every change (the functions named).

const isFacilitator = (me) => me.role === "facilitator";
const isParticipant = (me) => me.role === "participant";

/** Whether this viewer may post new cards now (boards/services.py add_card). */
export function mayPost({ board, me }) {
  return isParticipant(me) && board.posting_open;
}

/** Whether this viewer may edit or delete `card` (boards/services.py may_change): facilitators any
 * card until the board closes, authors their own while posting is open. */
export function mayChange(card, { board, me }) {
  if (isFacilitator(me)) return board.open;
  return isParticipant(me) && card.author.id === me.id && board.posting_open;
}

/** Whether this viewer may complete the plan details of `card` (boards/plans.py may_complete):
 * until the board closes, the facilitators, and the plan's author and their city team unless the
 * board is paused. */
export function mayCompletePlan(card, { board, me }) {
  if (card.lane !== "action" || !card.plan || !board.open) return false;
  if (isFacilitator(me)) return true;
  return isParticipant(me) && !board.paused && (card.author.id === me.id || card.author.city === me.city);
}

/** Whether `card`'s lane is voted on. */
export function votable(card, { board }) {
  return board.voting.lanes.includes(card.lane);
}

/** Whether this viewer may put a dot on `card` now (voting/services.py require_voting_open). */
export function mayVote(card, state) {
  const { board, me } = state;
  return isParticipant(me) && board.phase === "vote" && !board.paused && votable(card, state) && !card.hidden;
}

/** The lane whose cards a card of `lane` may link to, or undefined (models LINKABLE_LANE). */
export function linkTarget(lane, { board }) {
  return board.links[lane];
}
