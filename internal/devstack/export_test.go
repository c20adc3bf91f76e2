package devstack

// IdlePoll is how long a local stream poller sleeps after an empty read:
// the wake-up interval that sets the floor of speed to lead locally.
const IdlePoll = idlePoll
