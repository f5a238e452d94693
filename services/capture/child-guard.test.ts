import { describe, expect, it } from 'vitest';
import { withParentDeathSignal } from './child-guard.js';

describe('withParentDeathSignal', () => {
  it('wraps the command in setpriv --pdeathsig KILL when setpriv is there', () => {
    expect(withParentDeathSignal({ file: '/usr/bin/ffmpeg', args: ['-i', 'x'] }, '/usr/bin/setpriv')).toEqual({
      file: '/usr/bin/setpriv',
      args: ['--pdeathsig', 'KILL', '--', '/usr/bin/ffmpeg', '-i', 'x'],
    });
  });

  it('leaves the command alone without setpriv', () => {
    const command = { file: '/usr/bin/ffmpeg', args: ['-i', 'x'] };
    expect(withParentDeathSignal(command, undefined)).toBe(command);
  });

  it('keeps an argument that looks like an option after -- (setpriv stops parsing there)', () => {
    const { args } = withParentDeathSignal({ file: 'ffmpeg', args: ['--pdeathsig', 'TERM'] }, 'setpriv');
    expect(args.indexOf('--')).toBe(2);
  });
});
